package provenance

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// finding expected in a fixture: source type, and a substring of Detail.
type wantFinding struct {
	dst    string
	detail string
}

type fixtureCase struct {
	file      string
	synthetic bool
	dst       string
	hasC2PA   bool
	hasXMP    *bool // nil where the README does not say
	findings  []wantFinding
	// notIn: no finding's Detail may contain this (e.g. the active manifest
	// of prmiere-firefly declares nothing).
	notIn string
}

// Expectations from ../shared/fixtures/README.md, section media/.
var fixtureCases = []fixtureCase{
	{
		// AI only in the ingredient's manifest: must be found there.
		file: "c2pa/prmiere-firefly.mp4", synthetic: true, dst: CompositeWithTrainedAlgorithmicMedia,
		hasC2PA: true, hasXMP: ptr(true),
		findings: []wantFinding{{CompositeWithTrainedAlgorithmicMedia, "c2pa.actions (c2pa.edited) in ingredient manifest adobe:urn:uuid:2ded0a13"}},
		notIn:    "active manifest",
	},
	{
		file: "c2pa/PTS_TRUSTED_sony_official_cawg_wdr.mp4", synthetic: false, dst: DigitalCapture,
		hasC2PA: true, hasXMP: ptr(true),
		findings: []wantFinding{{DigitalCapture, "c2pa.actions.v2 (c2pa.created) in ingredient manifest"}},
	},
	{file: "c2pa/cards_trusted.mp4", hasC2PA: true, hasXMP: ptr(false)},
	{file: "c2pa/video1.mp4", hasC2PA: true, hasXMP: ptr(true)},
	{file: "c2pa/dashinit.mp4", hasC2PA: true, hasXMP: ptr(false)},
	{
		file: "c2pa-images/amazon-titan-g1.png", synthetic: true, dst: TrainedAlgorithmicMedia, hasC2PA: true,
		findings: []wantFinding{{TrainedAlgorithmicMedia, "c2pa.actions (c2pa.created) in active manifest"}},
	},
	{
		file: "c2pa-images/ocsp.jpg", synthetic: true, dst: TrainedAlgorithmicMedia, hasC2PA: true,
		findings: []wantFinding{
			{TrainedAlgorithmicMedia, "(c2pa.created) in ingredient manifest"},
			{CompositeWithTrainedAlgorithmicMedia, "(c2pa.opened) in active manifest"},
			{CompositeWithTrainedAlgorithmicMedia, "(c2pa.edited) in active manifest"},
		},
	},
	// Stripped manifest: nothing detected, though the XMP still points at it.
	{file: "no-c2pa/video1_no_manifest.mp4", hasC2PA: false, hasXMP: ptr(true)},
	{file: "no-c2pa/test-video.mp4", hasC2PA: false, hasXMP: ptr(false)},
}

func ptr[T any](v T) *T { return &v }

func TestFixtures(t *testing.T) {
	for _, tc := range fixtureCases {
		t.Run(tc.file, func(t *testing.T) {
			res, err := DetectFile(fixturePath(tc.file))
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if res.Synthetic != tc.synthetic {
				t.Errorf("Synthetic = %v, want %v (findings %+v)", res.Synthetic, tc.synthetic, res.Findings)
			}
			if res.DigitalSourceType != tc.dst {
				t.Errorf("DigitalSourceType = %q, want %q", res.DigitalSourceType, tc.dst)
			}
			if res.HasC2PA != tc.hasC2PA {
				t.Errorf("HasC2PA = %v, want %v", res.HasC2PA, tc.hasC2PA)
			}
			if tc.hasXMP != nil && res.HasXMP != *tc.hasXMP {
				t.Errorf("HasXMP = %v, want %v", res.HasXMP, *tc.hasXMP)
			}
			if len(res.Findings) != len(tc.findings) {
				t.Errorf("%d findings, want %d: %+v", len(res.Findings), len(tc.findings), res.Findings)
			}
			for _, w := range tc.findings {
				if !slices.ContainsFunc(res.Findings, func(f Finding) bool {
					return f.DigitalSourceType == w.dst && f.Via == ViaC2PA && strings.Contains(f.Detail, w.detail)
				}) {
					t.Errorf("no c2pa finding %s with detail containing %q in %+v", w.dst, w.detail, res.Findings)
				}
			}
			for _, f := range res.Findings {
				if tc.notIn != "" && strings.Contains(f.Detail, tc.notIn) {
					t.Errorf("unexpected finding %+v", f)
				}
			}
		})
	}
}

// Every file in the media fixture directory must have an expectation above.
func TestFixturesAllCovered(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found in %s (%v)", fixtureDir, err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(fixtureDir, f)
		rel = filepath.ToSlash(rel)
		if !slices.ContainsFunc(fixtureCases, func(c fixtureCase) bool { return c.file == rel }) {
			t.Errorf("fixture %s has no expectation in fixtureCases", rel)
		}
	}
}

// The manifest logic, without the container: the ingredient's actions are
// what make prmiere-firefly synthetic.
func TestManifestStoreIngredientOnly(t *testing.T) {
	store := c2paStore(t, readFixture(t, "c2pa/prmiere-firefly.mp4"))
	var res Result
	if err := readManifestStore(store, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Synthetic || len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Detail, "ingredient manifest") {
		t.Fatalf("got %+v", res)
	}
}
