package bench

import (
	"os"
	"strings"
	"testing"
)

// TestSoakJudge checks the verdict: any 5xx, any other failure, a short
// count or memory growth beyond the limit fails; growth at the limit
// passes.
func TestSoakJudge(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*soakResult)
		want string // in the problems; "" passes
	}{
		{"Clean", func(*soakResult) {}, ""},
		{"GrowthAtLimit", func(r *soakResult) { r.RSSGrowthPercent = 10 }, ""},
		{"GrowthBeyond", func(r *soakResult) { r.RSSGrowthPercent = 10.1 }, "resident memory grew 10.1%"},
		{"ServerError", func(r *soakResult) { r.ServerErrors = 1 }, "1 answers with a 5xx status"},
		{"ServerErrorInWarmup", func(r *soakResult) { r.Warmup.ServerErrors = 2 }, "2 answers with a 5xx status"},
		{"Failure", func(r *soakResult) { r.Failures = 3 }, "3 unexpected answers"},
		{"Short", func(r *soakResult) { r.Requests = 1001 }, "1000 requests answered of 1001"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &soakResult{Requests: 1000, MaxGrowthPercent: 10, RSSWarmKiB: 1000, RSSEndKiB: 1050, RSSGrowthPercent: 5, Warmup: &soakPhaseTotal{}}
			c.edit(r)
			r.judge(1000)
			got := strings.Join(r.Problems, "; ")
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("problems %q, want %q", got, c.want)
			}
		})
	}
}

// TestSoakWarmupLevelled checks when the warm-up ends: after two rounds in
// a row that each grew memory by at most the settling percentage, never
// after one, and the first round counts from the reading at the start.
func TestSoakWarmupLevelled(t *testing.T) {
	for _, c := range []struct {
		name   string
		rounds []int64
		want   bool
	}{
		{"NoRound", nil, false},
		{"OneFlatRound", []int64{1000}, false},
		{"FirstRoundGrew", []int64{2000, 2005}, false},
		{"TwoFlatRounds", []int64{1000, 1005}, true},
		{"FillingThenFlat", []int64{1500, 1800, 1805, 1810}, true},
		{"FlatThenGrowing", []int64{1500, 1501, 1600}, false},
		{"GrowingAtTheLimit", []int64{1500, 1507, 1514}, true},  // 0.47 %, 0.46 %
		{"GrowingJustPastIt", []int64{1500, 1508, 1516}, false}, // 0.53 %
		{"LeakOfAPercentARound", []int64{1500, 1515, 1530}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := levelled(1000, c.rounds, 0.5); got != c.want {
				t.Errorf("levelled(1000, %v, 0.5) = %v, want %v", c.rounds, got, c.want)
			}
		})
	}
	s := &soakRun{maxGrowth: 10, warmup: 10_000, requests: 100_000}
	if got := s.settlePercent(); got != 0.5 {
		t.Errorf("settlePercent of 10%% over 100,000 in rounds of 10,000 = %g, want 0.5", got)
	}
}

// TestResidentMemory reads this process's VmRSS.
func TestResidentMemory(t *testing.T) {
	kib, err := residentMemory(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if kib < 1000 {
		t.Errorf("VmRSS %d KiB, want a test binary's few MiB at least", kib)
	}
	if _, err := residentMemory(1 << 30); err == nil {
		t.Error("residentMemory of a process that does not exist: no error")
	}
}
