package ap

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The inbox accepts on the envelope and the job parses in full: the two
// must agree on every real document, or the inbox would accept what the job
// then drops (or refuse what it could handle).
func TestEnvelopeAgreesWithFullParse(t *testing.T) {
	checked := 0
	err := filepath.WalkDir(fixtureRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		full, fullErr := ParseActivity(body)
		env, envErr := ParseEnvelope(body)
		if fullErr == nil {
			checked++
			if envErr != nil {
				t.Errorf("%s: the full parse accepts it but the envelope refuses: %v", path, envErr)
				return nil
			}
			if env.ID != full.ID || env.Type != full.Type || env.Actor != full.Actor {
				t.Errorf("%s: envelope %+v disagrees with the activity (%s %s %s)", path, env, full.ID, full.Type, full.Actor)
			}
			if full.ObjectIRI != "" && env.ObjectID != full.ObjectIRI {
				t.Errorf("%s: envelope object %q, activity object %q", path, env.ObjectID, full.ObjectIRI)
			}
			return nil
		}
		if envErr == nil && !errors.Is(fullErr, ErrUnsupportedType) {
			t.Errorf("%s: the inbox would accept what the job cannot parse: %v", path, fullErr)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 40 {
		t.Fatalf("only %d fixtures parsed as activities; the walk is not reading the fixtures", checked)
	}
}

func TestEnvelopeRefusals(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":            `{"type": "Create"`,
		"array":               `[1,2]`,
		"no type":             `{"id": "https://a.example/1", "actor": "https://a.example/u"}`,
		"no id":               `{"type": "Like", "actor": "https://a.example/u", "object": "https://b.example/v"}`,
		"no actor":            `{"id": "https://a.example/1", "type": "Like", "object": "https://b.example/v"}`,
		"actor not http":      `{"id": "https://a.example/1", "type": "Like", "actor": "javascript:x", "object": "https://b.example/v"}`,
		"create by IRI":       `{"id": "https://a.example/1", "type": "Create", "actor": "https://a.example/u", "object": "https://a.example/v"}`,
		"create without id":   `{"id": "https://a.example/1", "type": "Create", "actor": "https://a.example/u", "object": {"type": "Note"}}`,
		"like without object": `{"id": "https://a.example/1", "type": "Like", "actor": "https://a.example/u"}`,
		"deep":                strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	} {
		if _, err := ParseEnvelope([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseEnvelope([]byte(`{"id": "https://a.example/1", "type": "Block", "actor": "https://a.example/u", "object": "https://b.example/u"}`)); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("a Block should be an unsupported type, got %v", err)
	}
}
