package provenance

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// jumbType is a JUMBF description type UUID: four ASCII characters and the common tail.
func jumbType(kind string) []byte { return append([]byte(kind), jumbfTypeSuffix...) }

// superboxBytes builds jumb [jumd kind label] children….
func superboxBytes(kind, label string, children ...[]byte) []byte {
	jumd := box("jumd", jumbType(kind), []byte{0x03}, []byte(label), []byte{0})
	return box("jumb", append([][]byte{jumd}, children...)...)
}

func cborAssertion(t testing.TB, label string, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return superboxBytes("cbor", label, box("cbor", b))
}

func jsonAssertion(t testing.TB, label string, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return superboxBytes("json", label, box("json", b))
}

func manifestBytes(label string, assertions ...[]byte) []byte {
	return superboxBytes("c2ma", label,
		superboxBytes("c2as", "c2pa.assertions", assertions...),
		superboxBytes("c2cl", "c2pa.claim", box("cbor", []byte{0xA0})))
}

func storeBytes(manifests ...[]byte) []byte { return superboxBytes("c2pa", "c2pa", manifests...) }

// c2paBoxBytes wraps a store in the BMFF C2PA uuid box: version/flags,
// purpose "manifest", merkle offset, store.
func c2paBoxBytes(store []byte) []byte {
	return uuidBox(c2paUUID, []byte{0, 0, 0, 0}, []byte("manifest\x00"), make([]byte, 8), store)
}

// mp4WithStore puts a store right after ftyp, like c2patool does.
func mp4WithStore(store []byte) []byte {
	m := minimalMP4()
	n := binary.BigEndian.Uint32(m) // ftyp's size
	return bytes.Join([][]byte{m[:n], c2paBoxBytes(store), m[n:]}, nil)
}

type M = map[string]any

func TestC2PAActionForms(t *testing.T) {
	cases := []struct {
		name      string
		manifests [][]byte
		want      []wantFinding
	}{
		{
			name: "actions.v2 with instance suffix in the active manifest",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "c2pa.actions.v2__1", M{
				"actions": []any{M{"action": "c2pa.created", "digitalSourceType": TrainedAlgorithmicMedia}},
			}))},
			want: []wantFinding{{TrainedAlgorithmicMedia, "c2pa.actions.v2 (c2pa.created) in active manifest urn:c2pa:1"}},
		},
		{
			name: "parameters.digitalSourceType, https form",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "c2pa.actions", M{
				"actions": []any{M{"action": "c2pa.edited", "parameters": M{
					"digitalSourceType": "https://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
				}}},
			}))},
			want: []wantFinding{{CompositeWithTrainedAlgorithmicMedia, "c2pa.actions parameters.digitalSourceType (c2pa.edited)"}},
		},
		{
			name: "nested parameters, bare term",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "c2pa.actions", M{
				"actions": []any{M{"action": "c2pa.created", "parameters": M{
					"ingredients": []any{M{"com.example.digitalSourceType": "trainedAlgorithmicMedia"}},
				}}},
			}))},
			want: []wantFinding{{TrainedAlgorithmicMedia, "parameters.ingredients.com.example.digitalSourceType"}},
		},
		{
			name: "related action",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "c2pa.actions.v2", M{
				"actions": []any{M{"action": "c2pa.placed", "related": []any{
					M{"action": "c2pa.created", "digitalSourceType": TrainedAlgorithmicMedia},
				}}},
			}))},
			want: []wantFinding{{TrainedAlgorithmicMedia, "(c2pa.created)"}},
		},
		{
			name: "template applying to an action present",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "c2pa.actions.v2", M{
				"actions":   []any{M{"action": "c2pa.edited"}},
				"templates": []any{M{"action": "c2pa.edited", "digitalSourceType": CompositeWithTrainedAlgorithmicMedia}},
			}))},
			want: []wantFinding{{CompositeWithTrainedAlgorithmicMedia, "(c2pa.edited)"}},
		},
		{
			name: "template for an action absent does not count",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "c2pa.actions.v2", M{
				"actions":   []any{M{"action": "c2pa.opened"}},
				"templates": []any{M{"action": "c2pa.edited", "digitalSourceType": CompositeWithTrainedAlgorithmicMedia}},
			}))},
		},
		{
			name: "ingredient manifest only",
			manifests: [][]byte{
				manifestBytes("urn:c2pa:ingredient", cborAssertion(t, "c2pa.actions", M{
					"actions": []any{M{"action": "c2pa.created", "digitalSourceType": TrainedAlgorithmicMedia}},
				})),
				manifestBytes("urn:c2pa:active", cborAssertion(t, "c2pa.actions", M{
					"actions": []any{M{"action": "c2pa.opened"}},
				})),
			},
			want: []wantFinding{{TrainedAlgorithmicMedia, "in ingredient manifest urn:c2pa:ingredient"}},
		},
		{
			name: "IPTC metadata assertion (JSON-LD)",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", jsonAssertion(t, "stds.iptc", M{
				"@context":                      M{"Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"},
				"Iptc4xmpExt:DigitalSourceType": TrainedAlgorithmicMedia,
			}))},
			want: []wantFinding{{TrainedAlgorithmicMedia, "stds.iptc in active manifest"}},
		},
		{
			name: "c2pa.metadata in CBOR with @id",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "c2pa.metadata", M{
				"Iptc4xmpExt:DigitalSourceType": M{"@id": AlgorithmicMedia},
			}))},
			want: []wantFinding{{AlgorithmicMedia, "c2pa.metadata"}},
		},
		{
			name: "wrong types are skipped, the rest still read",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "c2pa.actions", M{
				"actions": []any{
					"not a map",
					M{"action": 7, "digitalSourceType": 42},
					M{"action": "c2pa.created", "digitalSourceType": TrainedAlgorithmicMedia, "when": []any{1, 2}},
				},
				"templates": "nope",
			}))},
			want: []wantFinding{{TrainedAlgorithmicMedia, "(c2pa.created)"}},
		},
		{
			name: "unrelated assertion labels are ignored",
			manifests: [][]byte{manifestBytes("urn:c2pa:1", cborAssertion(t, "my.assertion", M{
				"digitalSourceType": TrainedAlgorithmicMedia,
			}), cborAssertion(t, "c2pa.actionsX", M{
				"actions": []any{M{"action": "c2pa.created", "digitalSourceType": TrainedAlgorithmicMedia}},
			}))},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := detectBytes(t, mp4WithStore(storeBytes(tc.manifests...)))
			if err != nil {
				t.Fatal(err)
			}
			if !res.HasC2PA {
				t.Error("HasC2PA false")
			}
			if len(res.Findings) != len(tc.want) {
				t.Fatalf("findings %+v, want %+v", res.Findings, tc.want)
			}
			for i, w := range tc.want {
				f := res.Findings[i]
				if f.DigitalSourceType != w.dst || f.Via != ViaC2PA || !strings.Contains(f.Detail, w.detail) {
					t.Errorf("finding %+v, want %+v", f, w)
				}
			}
		})
	}
}

// The actions assertions of the real fixtures decode as the README says.
func TestDecodeActionsFixtures(t *testing.T) {
	store := c2paStore(t, readFixture(t, "c2pa/PTS_TRUSTED_sony_official_cawg_wdr.mp4"))
	var all []actionSource
	for _, a := range actionsAssertions(t, store) {
		got, err := decodeActions(a)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, got...)
	}
	if len(all) != 1 || all[0].action != "c2pa.created" || all[0].dst != DigitalCapture {
		t.Fatalf("got %+v", all)
	}
}
