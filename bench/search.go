package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"pitlane/search"
	"pitlane/store"
)

// The search scenarios: what staff type in the search box of the header,
// sent as its script sends it (GET /search?format=json with a session),
// while searchWriters add customers, each a change the index must apply as
// the searches run: a whole plate (find-plate), its first four characters
// (find-prefix), a name with a letter missing (find-typo) and words of job
// descriptions (find-text). reindex first rebuilds the whole index, with
// nothing else running, and reports its time and size.

// searchWriters are the concurrent durable writes under every search
// scenario, as many as the writes scenario uses, together writing
// searchWriteRate customers a second: some seven hundred thousand an hour,
// hundreds of times what a dealership writes, without the machine doing
// nothing but write (the writes scenario measures that).
const (
	searchWriters   = 64
	searchWriteRate = 200
)

// searchConcurrency is how many searches are in flight at once: each worker
// asks again as soon as it has its answer, far more than staff typing (a
// keystroke every 150 ms at the most, after the box's debounce).
const searchConcurrency = 4

// searchLoad is one kind of search: what a worker types, picked from the
// seeded dataset, and what every answer must hold (the results are right,
// not merely fast).
type searchLoad struct {
	typed func(r *rand.Rand, g generator) string
	found string
}

var (
	searchPlate = searchLoad{func(r *rand.Rand, g generator) string { return plate(r.IntN(g.z.Vehicles)) },
		`"url":"/vehicles/`}
	searchPartialPlate = searchLoad{func(r *rand.Rand, g generator) string { return plate(r.IntN(g.z.Vehicles))[:4] },
		`"url":"/vehicles/`}
	searchNameTypo = searchLoad{nameWithTypo, `"url":"/customers/`}
	searchFreeText = searchLoad{func(r *rand.Rand, _ generator) string { return freeText[r.IntN(len(freeText))] },
		`"url":"/jobs/`}
)

// freeText is words of the seeded jobs' descriptions, as staff type them.
var freeText = []string{"brake pads", "oil filter", "timing belt", "clutch", "tyre change", "annual service",
	"air conditioning", "battery", "diagnostics", "mot inspection"}

// nameWithTypo is a seeded customer's name with a letter of the surname
// missing: "Giulia Rosi" for Giulia Rossi.
func nameWithTypo(r *rand.Rand, g generator) string {
	for {
		i := r.IntN(g.z.Customers)
		if i%10 == 0 {
			continue // a company
		}
		first, last, _ := strings.Cut(g.customer(i).Name, " ")
		if len(last) < 5 || strings.Contains(last, " ") {
			continue
		}
		k := len(last) / 2
		return first + " " + last[:k] + last[k+1:]
	}
}

// startSearch opens the data folder's search index and keeps it up to date
// as serve does, waiting until it holds the seeded dataset so that no
// scenario runs beside a first build. stop closes it.
func startSearch(ctx context.Context, dir string, st *store.Store, log *slog.Logger) (ix *search.Index, stop func() error, err error) {
	if ix, err = search.Open(dir, st, log); err != nil {
		return nil, nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { ix.Run(rctx) })
	stop = func() error {
		cancel()
		wg.Wait()
		return ix.Close()
	}
	if err := caughtUp(ctx, ix); err != nil {
		return nil, nil, errors.Join(err, stop())
	}
	return ix, stop, nil
}

// settled waits until the index has applied every change the store has
// logged and has written and merged its segments: half a second passes
// without one.
func settled(ctx context.Context, ix *search.Index) error {
	if err := caughtUp(ctx, ix); err != nil {
		return err
	}
	return ix.Quiet(ctx, 500*time.Millisecond)
}

// caughtUp waits until the index is built and has applied every change
// the store has logged.
func caughtUp(ctx context.Context, ix *search.Index) error {
	for {
		s, err := ix.Status()
		if err != nil {
			return err
		}
		if s.Ready && s.Lag == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// runReindex rebuilds the whole index, as `pitlane reindex` does, with
// nothing else running, and reports it as one request.
func runReindex(ctx context.Context, a *appliance, _ int, cfg Config) (Result, error) {
	start := time.Now()
	var err error
	if perr := cfg.profiled(func() { err = a.search.Rebuild(ctx, nil) }); err != nil || perr != nil {
		return Result{}, errors.Join(err, perr)
	}
	took := time.Since(start)
	s, err := a.search.Status()
	if err != nil {
		return Result{}, err
	}
	size, err := settledSize(ctx, a.search)
	if err != nil {
		return Result{}, err
	}
	if cfg.Out != nil {
		fmt.Fprintf(cfg.Out, "search index: %d documents, %s on disk, rebuilt in %s\n", s.Documents, fmtBytes(size),
			took.Round(100*time.Millisecond))
	}
	return Result{Scenario: "reindex", Concurrency: 1, Window: took, Requests: 1, Latencies: []time.Duration{took},
		OtherCPU: -1}, nil
}

// settledSize is the index's size once the files its merges replaced are
// gone, which the index does in the background.
func settledSize(ctx context.Context, ix *search.Index) (int64, error) {
	size, err := ix.DiskSize()
	for range 20 {
		if err != nil || ctx.Err() != nil {
			break
		}
		sleepCtx(ctx, time.Second)
		var now int64
		if now, err = ix.DiskSize(); now == size {
			break
		}
		size = now
	}
	return size, err
}

// runSearch measures one kind of search with concurrency staff sessions
// while the writers run.
func runSearch(name string, load searchLoad) func(ctx context.Context, a *appliance, concurrency int, cfg Config) (Result, error) {
	return func(ctx context.Context, a *appliance, concurrency int, cfg Config) (Result, error) {
		if cfg.Size.Vehicles == 0 || cfg.Size.Jobs == 0 {
			return Result{}, errors.New("the search scenarios need vehicles and jobs in the dataset")
		}
		c := newClient(concurrency)
		defer c.CloseIdleConnections()
		sessions, err := signInAll(ctx, a, c, concurrency)
		if err != nil {
			return Result{}, err
		}
		g := newGenerator(cfg.Size, time.Now())
		rngs := make([]*rand.Rand, concurrency)
		bufs := make([]bytes.Buffer, concurrency)
		for w := range rngs {
			rngs[w] = rand.New(rand.NewPCG(uint64(w), 42))
		}

		write, _, _ := prepareWrites(ctx, a, searchWriters)
		wctx, stopWriters := context.WithCancel(ctx)
		var writers sync.WaitGroup
		var writeErr error
		var once sync.Once
		every := time.Second * searchWriters / searchWriteRate
		for w := range searchWriters {
			writers.Go(func() {
				// Spread over the interval, so the writes arrive evenly.
				sleepCtx(wctx, every*time.Duration(w)/searchWriters)
				tick := time.NewTicker(every)
				defer tick.Stop()
				for wctx.Err() == nil {
					if err := write(wctx, 0); err != nil {
						once.Do(func() { writeErr = err })
						return
					}
					select {
					case <-tick.C:
					case <-wctx.Done():
					}
				}
			})
		}
		do := func(ctx context.Context, w int) error {
			return a.searchBox(ctx, c, sessions[w], load.typed(rngs[w], g), load.found, &bufs[w])
		}
		var r Result
		perr := cfg.profiled(func() { r = measure(ctx, name, concurrency, cfg.Warmup, cfg.Window, do) })
		stopWriters()
		writers.Wait()
		if writeErr != nil {
			return r, fmt.Errorf("writes beside the searches: %w", writeErr)
		}
		return r, perr
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// signInAll signs n browsers in, a few at a time.
func signInAll(ctx context.Context, a *appliance, c *http.Client, n int) ([]string, error) {
	sessions := make([]string, n)
	errs := make([]error, n)
	slots := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			sessions[w], errs[w] = a.login(ctx, c, a.users[w%len(a.users)])
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	return sessions, nil
}

// searchBox asks what the search box's script asks for q, and checks the
// answer has found in it.
func (a *appliance) searchBox(ctx context.Context, c *http.Client, session, q, found string, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/search?format=json&q="+url.QueryEscape(q), nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: "pl_session", Value: session})
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = io.Copy(buf, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return statusError("GET /search", resp, buf.Bytes())
	}
	if !bytes.Contains(buf.Bytes(), []byte(found)) {
		return fmt.Errorf("GET /search?q=%s: no %s in %.200s", q, found, buf.Bytes())
	}
	return nil
}
