package writer

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestBodyBlockLimit(t *testing.T) {
	for target, want := range map[int]int{10: 1, 11: 1, 12: 2, 15: 3, 18: 4, 21: 5, 60: 5, 600: 5} {
		if got := bodyBlockLimit(target); got != want {
			t.Errorf("bodyBlockLimit(%d) = %d, want %d", target, got, want)
		}
	}
}

func TestMergeBodyPoints(t *testing.T) {
	points := []string{"a", "b", "c", "d", "e", "f", "g"}
	got := mergeBodyPoints(points, 5)
	want := []string{"a", "b", "c d", "e", "f g"}
	if !slices.Equal(got, want) {
		t.Errorf("mergeBodyPoints(7 points, 5) = %q, want %q", got, want)
	}
	if got := mergeBodyPoints(points[:3], 5); !slices.Equal(got, points[:3]) {
		t.Errorf("mergeBodyPoints(3 points, 5) = %q, want them unchanged", got)
	}
}

func TestTimeBlocks(t *testing.T) {
	tests := []struct {
		name    string
		natural []float64
		target  int
		want    []int
	}{
		{"within tolerance: natural lengths kept", []float64{3.5, 20.04, 30.0, 4.26}, 60, []int{35, 200, 300, 43}},
		{"short blocks are held to 3 s", []float64{2.1, 25, 2.0}, 30, []int{30, 250, 30}},
		{"too long: rescaled to the target", []float64{10, 40, 40, 10}, 60, []int{60, 240, 240, 60}},
		{"too short: rescaled up to the target", []float64{3, 10, 10, 3}, 60, []int{69, 231, 231, 69}},
		{"rescale keeps the 3 s floor", []float64{1, 30, 1}, 10, []int{30, 40, 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := timeBlocks(tt.natural, tt.target)
			if !slices.Equal(got, tt.want) {
				t.Errorf("timeBlocks(%v, %d) = %v, want %v", tt.natural, tt.target, got, tt.want)
			}
		})
	}
}

// checkTiming holds a script to the contract's timing rules.
func checkTiming(t *testing.T, s Script, target int) {
	t.Helper()
	n := len(s.Blocks)
	if n < 3 || n > 7 {
		t.Fatalf("%d blocks, want a hook, 1-5 body blocks and a cta", n)
	}
	if s.Blocks[0].Type != BlockHook || s.Blocks[n-1].Type != BlockCTA {
		t.Errorf("first block %q and last %q, want hook and cta", s.Blocks[0].Type, s.Blocks[n-1].Type)
	}
	var sum, end float64
	var bodies []string
	for i, b := range s.Blocks {
		if b.Order != i {
			t.Errorf("block %d has order %d", i, b.Order)
		}
		if i > 0 && i < n-1 {
			if b.Type != BlockBody {
				t.Errorf("block %d is %q, want body", i, b.Type)
			}
			bodies = append(bodies, b.Text)
		}
		if b.Duration < 3 {
			t.Errorf("block %d lasts %v s, want at least 3 s", i, b.Duration)
		}
		if math.Abs(b.Start-end) > 1e-9 || math.Abs(b.End-(b.Start+b.Duration)) > 1e-9 {
			t.Errorf("block %d runs %v-%v for %v s after the previous ended at %v", i, b.Start, b.End, b.Duration, end)
		}
		if strings.TrimSpace(b.Text) == "" {
			t.Errorf("block %d has no text", i)
		}
		sum += b.Duration
		end = b.End
	}
	if math.Abs(sum-s.EstimatedDuration) > 1e-6 {
		t.Errorf("EstimatedDuration %v, blocks add up to %v", s.EstimatedDuration, sum)
	}
	if lo, hi := 0.9*float64(target), 1.1*float64(target); sum < lo-1e-9 || sum > hi+1e-9 {
		t.Errorf("blocks add up to %v s, want %v ±10 %%", sum, target)
	}
	if s.Hook != s.Blocks[0].Text || s.CTA != s.Blocks[n-1].Text || s.Body != strings.Join(bodies, "\n") {
		t.Errorf("Hook/Body/CTA do not match the blocks")
	}
}

func TestAssembleNaturalDurationsMatchTheWholeScript(t *testing.T) {
	d := draft{
		hook: "Did you know most people brew coffee too hot?",
		body: []string{"First, let the kettle rest for a minute.", "Second, weigh your beans; it matters.", "Third, taste the cup and adjust one thing at a time."},
		cta:  "Follow for more coffee tips every week!",
	}
	s := assemble("local", "m", d, "en", 20)
	checkTiming(t, s, 20)
	whole := Estimate(s.Hook+"\n"+s.Body+"\n"+s.CTA, "en").Seconds
	if math.Abs(whole-s.EstimatedDuration) > 0.051 {
		t.Errorf("EstimatedDuration %v s, but the script read as one text takes %v s", s.EstimatedDuration, whole)
	}
}

func TestAssembleMergesExtraBodyPoints(t *testing.T) {
	var body []string
	for i := range 8 {
		body = append(body, fmt.Sprintf("Point number %d is a short sentence.", i+1))
	}
	s := assemble("openai", "m", draft{hook: "Hook here.", body: body, cta: "Subscribe now."}, "en", 60)
	checkTiming(t, s, 60)
	if got := len(s.Blocks) - 2; got != 5 {
		t.Errorf("%d body blocks, want 5", got)
	}
	for i := range 8 {
		if !strings.Contains(s.Body, fmt.Sprintf("number %d ", i+1)) {
			t.Errorf("body lost point %d: %q", i+1, s.Body)
		}
	}
	short := assemble("openai", "m", draft{hook: "Hook here.", body: body, cta: "Subscribe now."}, "en", 10)
	checkTiming(t, short, 10)
}
