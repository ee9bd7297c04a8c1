package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/testrig"
)

// The AI-free switch shows in /metrics as it is now, whoever flipped it.
func TestAIFreeGaugeFollowsTheSwitch(t *testing.T) {
	inst := testrig.NewInstance(t)
	admin := inst.StandardUsers().Admin
	gauge := func() string {
		t.Helper()
		for _, line := range strings.Split(string(inst.API("GET", "/metrics", "", nil).Body), "\n") {
			if strings.HasPrefix(line, "assay_ai_free ") {
				return line
			}
		}
		t.Fatal("/metrics has no assay_ai_free gauge")
		return ""
	}
	if got := gauge(); got != "assay_ai_free 0" {
		t.Errorf("a new instance: %q, want assay_ai_free 0", got)
	}
	if resp := inst.API("PATCH", "/api/v1/instance", admin.Token, map[string]bool{"ai_free": true}); resp.StatusCode != 200 {
		t.Fatalf("switching AI-free on: %d %s", resp.StatusCode, resp.Body)
	}
	if got := gauge(); got != "assay_ai_free 1" {
		t.Errorf("after the API switched it on: %q, want assay_ai_free 1", got)
	}
	off := false
	if _, err := inst.Instance.Update(context.Background(), nil, instance.Change{AIFree: &off}); err != nil {
		t.Fatal(err)
	}
	if got := gauge(); got != "assay_ai_free 0" {
		t.Errorf("after the CLI's path switched it off: %q, want assay_ai_free 0", got)
	}
}
