package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFetchLoadsOnceForConcurrentMisses(t *testing.T) {
	m := NewMemory(1 << 20)
	defer m.Close()
	var loads atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make([][]byte, 50)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v, err := m.Fetch(context.Background(), "k", time.Minute, func(context.Context) ([]byte, error) {
				loads.Add(1)
				<-release
				return []byte("value"), nil
			})
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		}(i)
	}
	time.Sleep(50 * time.Millisecond) // let the goroutines pile up on the one load
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("loaded %d times, want 1", n)
	}
	for _, v := range results {
		if string(v) != "value" {
			t.Fatalf("got %q", v)
		}
	}
	if st := m.Stats(); st.Misses < 1 {
		t.Fatalf("stats: %+v", st)
	}
}

func TestFetchDoesNotCacheErrors(t *testing.T) {
	m := NewMemory(1 << 20)
	defer m.Close()
	boom := errors.New("boom")
	if _, err := m.Fetch(context.Background(), "k", time.Minute, func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	v, err := m.Fetch(context.Background(), "k", time.Minute, func(context.Context) ([]byte, error) { return []byte("ok"), nil })
	if err != nil || string(v) != "ok" {
		t.Fatalf("got %q, %v", v, err)
	}
}

func TestGenerationsMoveOnAndNeverRepeat(t *testing.T) {
	m := NewMemory(1 << 20)
	defer m.Close()
	ctx := context.Background()
	if g, _ := m.Generation(ctx, "a"); g != 0 {
		t.Fatalf("fresh scope: %d", g)
	}
	seen := map[uint64]bool{0: true}
	for i := 0; i < 100; i++ {
		scope := []string{"a", "b"}[i%2]
		if err := m.Bump(ctx, scope); err != nil {
			t.Fatal(err)
		}
		g, _ := m.Generation(ctx, scope)
		if seen[g] {
			t.Fatalf("generation %d reused", g)
		}
		seen[g] = true
	}
}

func TestEntriesExpire(t *testing.T) {
	m := NewMemory(1 << 20)
	defer m.Close()
	var loads atomic.Int32
	load := func(context.Context) ([]byte, error) { loads.Add(1); return []byte("v"), nil }
	_, _ = m.Fetch(context.Background(), "k", 20*time.Millisecond, load)
	_, _ = m.Fetch(context.Background(), "k", 20*time.Millisecond, load)
	if loads.Load() != 1 {
		t.Fatalf("cached value reloaded: %d loads", loads.Load())
	}
	deadline := time.Now().Add(5 * time.Second)
	for loads.Load() == 1 && time.Now().Before(deadline) {
		time.Sleep(30 * time.Millisecond)
		_, _ = m.Fetch(context.Background(), "k", 20*time.Millisecond, load)
	}
	if loads.Load() < 2 {
		t.Fatal("entry never expired")
	}
}
