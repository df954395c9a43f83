package loadtest

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestClosedScenarioAgainstContractServer(t *testing.T) {
	srv := newContractServer(t)
	srv.tokenLife = 2 * time.Second // short enough that the run must refresh its tokens
	res := mustRun(t, testOptions(3*time.Second, 10, srv.URL))

	if res.Total.Failures != 0 {
		last, _ := srv.lastErr.Load().(string)
		t.Fatalf("got %d failures, want 0 (server's last rejection: %s):%s", res.Total.Failures, last, describeFailures(res))
	}
	if got, want := res.Total.Requests, srv.seenTotal(); got != want {
		t.Errorf("reported %d requests, server saw %d", got, want)
	}
	for ep := range numEndpoints {
		e := endpoints[ep]
		var got int64
		if s := endpointByLabel(res, e.String()); s != nil {
			got = s.Requests
		}
		if want := srv.seen[ep].Load(); got != want {
			t.Errorf("%s: reported %d requests, server saw %d", e, got, want)
		}
	}
	// 10 users are 7 regular and 3 power users; each registers and moves to pro,
	// and only the regular ones create a client.
	for ep, want := range map[endpointID]int64{epRegister: 10, epSetPlan: 10, epCreateClient: 7} {
		if got := srv.seen[ep].Load(); got != want {
			t.Errorf("%s: server saw %d, want %d", endpoints[ep], got, want)
		}
	}
	for _, ep := range []endpointID{epListCampaigns, epGenerateScript, epCreateCampaign, epListPlans, epGenerateAudio, epAudioStatus, epRefreshToken} {
		if srv.seen[ep].Load() == 0 {
			t.Errorf("%s was never requested", endpoints[ep])
		}
	}
	if res.Model != "closed" || res.Schedule != nil {
		t.Errorf("model %q with schedule %v, want closed without one", res.Model, res.Schedule)
	}
	if len(res.History) < 3 {
		t.Errorf("got %d history points over 3 s, want at least 3", len(res.History))
	}
}

func TestOpenScenarioAgainstContractServer(t *testing.T) {
	srv := newContractServer(t)
	opts := testOptions(2*time.Second, 10, srv.URL)
	opts.Rate = 300
	res := mustRun(t, opts)

	if res.Total.Failures != 0 {
		last, _ := srv.lastErr.Load().(string)
		t.Fatalf("got %d failures, want 0 (server's last rejection: %s):%s", res.Total.Failures, last, describeFailures(res))
	}
	if got, want := res.Total.Requests, srv.seenTotal(); got != want {
		t.Errorf("reported %d requests, server saw %d", got, want)
	}
	if res.Schedule == nil {
		t.Fatal("open model result has no schedule statistics")
	}
	// Every request after provisioning (10 registers, 10 plan changes, 7 clients)
	// is one scheduled start.
	setup := srv.seen[epRegister].Load() + srv.seen[epSetPlan].Load() + srv.seen[epCreateClient].Load()
	if got, want := res.Schedule.Scheduled, srv.seenTotal()-setup; got != want {
		t.Errorf("schedule started %d requests, server saw %d after provisioning", got, want)
	}
	if res.Schedule.Scheduled < 100 {
		t.Errorf("schedule started %d requests in about 2 s at 300/s, want many more", res.Schedule.Scheduled)
	}
	for _, ep := range []endpointID{epListCampaigns, epGenerateScript, epCreateCampaign, epListPlans, epGenerateAudio, epAudioStatus} {
		if srv.seen[ep].Load() == 0 {
			t.Errorf("%s was never requested", endpoints[ep])
		}
	}
}

func TestHostsShareTheUsers(t *testing.T) {
	a, b := newContractServer(t), newContractServer(t)
	res := mustRun(t, testOptions(time.Second, 4, a.URL, b.URL))
	if res.Total.Failures != 0 {
		t.Fatalf("got failures:%s", describeFailures(res))
	}
	for name, s := range map[string]*contractServer{"first": a, "second": b} {
		if got := s.seen[epRegister].Load(); got != 2 {
			t.Errorf("%s host saw %d registrations, want 2 of the 4 users", name, got)
		}
		if s.seenTotal() <= 4 {
			t.Errorf("%s host saw only %d requests", name, s.seenTotal())
		}
	}
	if got, want := res.Total.Requests, a.seenTotal()+b.seenTotal(); got != want {
		t.Errorf("reported %d requests, the hosts saw %d", got, want)
	}
}

func TestUsersFollowTheKindWeights(t *testing.T) {
	counts := make([]int, len(userKinds))
	for n := 1; n <= 100; n++ {
		counts[kindForUser(counts)]++
		if n%10 == 0 && (counts[0] != n*7/10 || counts[1] != n*3/10) {
			t.Fatalf("after %d users: %d regular, %d power; want %d and %d", n, counts[0], counts[1], n*7/10, n*3/10)
		}
	}
}

func TestTasksFollowTheirWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range userKinds {
		const draws = 200000
		got := map[task]int{}
		for range draws {
			got[kind.pickTask(rng.IntN)]++
		}
		for _, wt := range kind.tasks {
			want := float64(draws) * float64(wt.weight) / float64(kind.totalTaskWeight)
			if diff := float64(got[wt.task]) - want; diff > want*0.03 || diff < -want*0.03 {
				t.Errorf("%s user, task %d: drawn %d times, want about %.0f", kind.name, wt.task, got[wt.task], want)
			}
		}
	}
}

func TestOpenModelMixIsTheClosedSteadyState(t *testing.T) {
	mix := openModelMix()
	// Regular: 7 users / 2 s mean wait; power: 3 users / 3.5 s.
	wantRegular := (7.0 / 2) / (7.0/2 + 3.0/3.5)
	if d := mix[0] - wantRegular; d > 1e-9 || d < -1e-9 {
		t.Errorf("regular share %.4f, want %.4f", mix[0], wantRegular)
	}
	if d := mix[0] + mix[1] - 1; d > 1e-9 || d < -1e-9 {
		t.Errorf("shares sum to %f", mix[0]+mix[1])
	}
}

func TestWaitTimesStayInTheirRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kind := range userKinds {
		for range 10000 {
			if d := kind.waitTime(rng.Int64N, 1); d < kind.minWait || d > kind.maxWait {
				t.Fatalf("%s user waited %s, want %s-%s", kind.name, d, kind.minWait, kind.maxWait)
			}
		}
	}
}
