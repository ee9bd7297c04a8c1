package signing

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseSignatureHeader(t *testing.T) {
	sigB64 := "AQIDBA=="
	raw := []byte{1, 2, 3, 4}
	for _, c := range []struct {
		name string
		in   string
		want *Signature
	}{
		{"Mastodon", `keyId="https://m.example/users/a#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="` + sigB64 + `"`,
			&Signature{KeyID: "https://m.example/users/a#main-key", Algorithm: "rsa-sha256", Headers: []string{"(request-target)", "host", "date", "digest"}, Signature: raw}},
		{"GoToSocial (go-fed)", `keyId="https://g.example/users/a/main-key",algorithm="hs2019",headers="(request-target) host date",signature="` + sigB64 + `"`,
			&Signature{KeyID: "https://g.example/users/a/main-key", Algorithm: "hs2019", Headers: []string{"(request-target)", "host", "date"}, Signature: raw}},
		{"Authorization scheme word", `Signature keyId="k",headers="date",signature="` + sigB64 + `"`,
			&Signature{KeyID: "k", Headers: []string{"date"}, Signature: raw}},
		{"whitespace, case, tokens, escapes", " KEYID = \"a\\\"b\" ,\tHeaders=\"Date  (Request-Target)\" , signature=" + "AQIDBA" + " , ext=tok ",
			&Signature{KeyID: `a"b`, Headers: []string{"date", "(request-target)"}, Signature: raw}},
		{"created and expires", `keyId="k",algorithm="hs2019",created=1402170695,expires="1402170995",headers="(request-target) (created) (expires)",signature="` + sigB64 + `"`,
			&Signature{KeyID: "k", Algorithm: "hs2019", Headers: []string{"(request-target)", "(created)", "(expires)"}, Signature: raw, Created: 1402170695, Expires: 1402170995}},
		{"default headers rsa-sha256", `keyId="k",algorithm="rsa-sha256",signature="` + sigB64 + `"`,
			&Signature{KeyID: "k", Algorithm: "rsa-sha256", Headers: []string{"date"}, Signature: raw}},
		{"default headers hs2019/none", `keyId="k",signature="` + sigB64 + `"`,
			&Signature{KeyID: "k", Headers: []string{"(created)"}, Signature: raw}},
		{"a parameter named signature first", `signature="` + sigB64 + `",keyId="k",headers="date"`,
			&Signature{KeyID: "k", Headers: []string{"date"}, Signature: raw}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSignatureHeader(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			again, err := ParseSignatureHeader(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseSignatureHeaderRefusals(t *testing.T) {
	ok := `keyId="k",headers="date",signature="AQIDBA=="`
	var many string
	for i := range 32 {
		many += "x" + strconv.Itoa(i) + `="y",`
	}
	many += ok
	for _, c := range []struct{ in, reason string }{
		{"", "malformed HTTP signature: it has no parameters"},
		{"Signature ", "malformed HTTP signature: it has no parameters"},
		{strings.Repeat("a", 8<<10+1), "malformed HTTP signature: it is longer than 8 KiB"},
		{many, "malformed HTTP signature: it has more than 32 parameters"},
		{`headers="date",signature="AQIDBA=="`, "malformed HTTP signature: the keyId parameter is missing or empty"},
		{`keyId="",headers="date",signature="AQIDBA=="`, "malformed HTTP signature: the keyId parameter is missing or empty"},
		{`keyId="k",headers="date"`, "malformed HTTP signature: the signature parameter is missing or empty"},
		{`keyId="k",signature="!!!"`, "malformed HTTP signature: the signature parameter is not base64"},
		{`keyId="k",keyid="j",signature="AQIDBA=="`, `malformed HTTP signature: parameter "keyid" appears twice`},
		{`keyId="k" signature="AQIDBA=="`, "malformed HTTP signature: parameters must be separated by commas"},
		{ok + ",", "malformed HTTP signature: it ends with a comma"},
		{`keyId="k",,signature="AQIDBA=="`, "malformed HTTP signature: expected a parameter name"},
		{`keyId`, `malformed HTTP signature: parameter "keyId" has no value`},
		{`keyId=,signature="AQIDBA=="`, `malformed HTTP signature: parameter "keyId" has no value`},
		{`keyId="k` + "\x00" + `",signature="AQIDBA=="`, "malformed HTTP signature: a quoted value contains a control character"},
		{`keyId="k\`, "malformed HTTP signature: a quoted value ends inside an escape"},
		{`keyId="k",headers="",signature="AQIDBA=="`, "malformed HTTP signature: the headers parameter is empty"},
		{`keyId="k",headers="date (foo)",signature="AQIDBA=="`, `malformed HTTP signature: the headers parameter names "(foo)", which is not a header name`},
		{`keyId="k",headers="` + strings.Repeat("a ", 33) + `",signature="AQIDBA=="`, "malformed HTTP signature: the headers parameter names more than 32 headers"},
		{`keyId="k",created=-1,signature="AQIDBA=="`, "malformed HTTP signature: the created parameter is not a Unix time"},
		{`keyId="k",expires="1e9",signature="AQIDBA=="`, "malformed HTTP signature: the expires parameter is not a Unix time"},
		{`keyId="k",created=9999999999999999999,signature="AQIDBA=="`, "malformed HTTP signature: the created parameter is not a Unix time"},
		{`keyId="` + "\xff" + `",signature="AQIDBA=="`, "malformed HTTP signature: the keyId parameter is not valid UTF-8"},
		{`sig1=:AQIDBA==:`, `malformed HTTP signature: parameter "sig1" has no value`},
	} {
		_, err := ParseSignatureHeader(c.in)
		wantAppErr(t, err, http.StatusBadRequest, c.reason)
	}
}
