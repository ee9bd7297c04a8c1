package ap

import "testing"

// BenchmarkParseCreateVideo parses PeerTube's Create{Video} (framatube, 17 kB,
// 20 url Links) as the shared inbox would.
func BenchmarkParseCreateVideo(b *testing.B) {
	body := readFixture(b, "peertube/create-video.framatube.webvideo.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseActivity(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSerializeVideo builds and serializes Create{Video} for a labelled
// clip, as publishing does once per video.
func BenchmarkSerializeVideo(b *testing.B) {
	p := testPaths(b)
	v, acct := testVideo(p, true), testAccount(p)
	b.ReportAllocs()
	for b.Loop() {
		obj, err := VideoObject(p, v, acct, "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Serialize(Create(p.ActivityURI("1"), acct.URI, obj, []string{Public}, []string{acct.FollowersURI})); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseOwnCreateVideo parses the Create{Video} Assay itself sends:
// what the shared inbox sees from another Assay instance.
func BenchmarkParseOwnCreateVideo(b *testing.B) {
	p := testPaths(b)
	v, acct := testVideo(p, true), testAccount(p)
	obj, err := VideoObject(p, v, acct, "")
	if err != nil {
		b.Fatal(err)
	}
	body, err := Serialize(Create(p.ActivityURI("1"), acct.URI, obj, []string{Public}, []string{acct.FollowersURI}))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseActivity(body); err != nil {
			b.Fatal(err)
		}
	}
}
