package ap

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/assay-social/assay/internal/apperr"
)

// FuzzParseActivity feeds every fixture (and their mutations) to the three
// parsers: none may panic, and every refusal must be a 400 *apperr.Error.
// Crashers found so far live in testdata/fuzz/FuzzParseActivity.
func FuzzParseActivity(f *testing.F) {
	err := filepath.WalkDir(fixtureRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtureRoot, p)
		f.Add(readFixture(f, filepath.ToSlash(rel)))
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"type":"Video","id":"https://a.example/v","duration":""}`))
	f.Add([]byte(`{"type":"Create","id":"https://a.example/1","actor":"https://a.example/u","object":{"type":"Video","id":"https://a.example/v","duration":"-"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, parse := range []func([]byte) error{
			func(b []byte) error { _, err := ParseActivity(b); return err },
			func(b []byte) error { _, err := ParseActor(b); return err },
			func(b []byte) error { _, err := ParseObject(b); return err },
		} {
			if err := parse(body); err != nil {
				var ae *apperr.Error
				if !errors.As(err, &ae) || ae.Status != 400 {
					t.Fatalf("refusal %v is not a 400 *apperr.Error", err)
				}
			}
		}
	})
}
