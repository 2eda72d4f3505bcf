package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// The staff load process, run here in a goroutine with pipes: it loads the
// dashboard at staffRate with each session in turn for the window asked,
// counts the answers without the dashboard as errors, ends a measurement
// early when told to, and ends when its input closes.
func TestStaffLoadProcess(t *testing.T) {
	var served, refused atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("pl_session"); err != nil || c.Value != "good" {
			refused.Add(1)
			http.Error(w, "sign in", http.StatusForbidden)
			return
		}
		served.Add(1)
		w.Write(append([]byte("<main>"), dashboardMarker...))
	}))
	defer srv.Close()

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go func() { exited <- ServeStaffLoad(inR, outW, &stderr) }()
	p, err := connectStaff(inW, outR, srv.URL, []string{"good", "good", "good", "bad"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := p.measure(ctx, 400*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 100 a second for 0.4 s: 40, one in four with the bad session.
	if r.Requests != 30 || r.Errors != 10 || r.FirstError == nil || len(r.Latencies) != 30 {
		t.Errorf("%d requests, %d errors (%v), %d latencies; want 30, 10", r.Requests, r.Errors, r.FirstError, len(r.Latencies))
	}
	if served.Load() != 30 || refused.Load() != 10 {
		t.Errorf("the server saw %d and %d", served.Load(), refused.Load())
	}

	stop := make(chan struct{})
	time.AfterFunc(200*time.Millisecond, func() { close(stop) })
	start := time.Now()
	if r, err = p.measure(ctx, time.Minute, stop); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second || r.Requests+r.Errors > 40 {
		t.Errorf("stopped after %v with %d requests; want it stopped at about 0.2 s", took, r.Requests+r.Errors)
	}

	p.Close()
	endsCleanly(t, "the staff load process", exited, &stderr)
}
