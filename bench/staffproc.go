package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// The push scenario's staff load runs in a process of its own too: staff
// click in browsers on other machines, whose timing owes nothing to the
// appliance's Go runtime. In the appliance's process the load generator's
// own timers and client goroutines would wait behind the sender's work,
// and that wait would be counted as the appliance's (it measured 2 to 9 ms
// of a slow request's time). It runs on the same two cores, in Linux's
// real-time class where the user may (highestPriority): at the normal
// priority, a Go trace of the slowest requests while a campaign went out
// showed the appliance done with each in under 0.7 ms and the answer then
// waiting 1 to 7 ms for the load process to be given a CPU to read it,
// which a browser on another machine does not wait. Real-time, that wait
// was under 0.15 ms.
// pitlane-bench starts itself again with staffLoadEnv set to be it, and
// sends it one JSON line per measurement on its standard input; it answers
// each with one line on its standard output.

// staffLoadEnv, set in pitlane-bench's environment, makes it the staff
// load process.
const staffLoadEnv = "PITLANE_BENCH_STAFF_LOAD"

// IsStaffLoadProcess reports whether this process was started to be the
// push scenario's staff load.
func IsStaffLoadProcess() bool { return os.Getenv(staffLoadEnv) == "1" }

// staffLoad measures the staff's dashboard at staffRate for window, or
// until stop is closed.
type staffLoad interface {
	measure(ctx context.Context, window time.Duration, stop <-chan struct{}) (Result, error)
	Close()
}

// dashboardLoad is the request the staff load repeats: the dashboard, for
// each of the signed-in sessions in turn.
func dashboardLoad(a *appliance, sessions []string) (op, func()) {
	c := newClient(len(sessions) * 4)
	var bufs sync.Pool
	return func(ctx context.Context, i int) error {
		buf, _ := bufs.Get().(*bytes.Buffer)
		if buf == nil {
			buf = new(bytes.Buffer)
		}
		defer bufs.Put(buf)
		return a.dashboard(ctx, c, sessions[i%len(sessions)], buf)
	}, c.CloseIdleConnections
}

// inProcessLoad is the staff load in this process, for tests (only
// pitlane-bench can start itself again).
type inProcessLoad struct {
	do   op
	done func()
}

func (l inProcessLoad) measure(ctx context.Context, window time.Duration, stop <-chan struct{}) (Result, error) {
	return openLoop(ctx, window, stop, l.do), nil
}

func (l inProcessLoad) Close() { l.done() }

// staffHello is the first line the staff load process reads.
type staffHello struct {
	Base     string   `json:"base"`
	Sessions []string `json:"sessions"`
}

// staffCommand asks for a measurement (Window) or ends one early (Stop,
// with the measurement's Run).
type staffCommand struct {
	Run    int           `json:"run"`
	Window time.Duration `json:"window,omitempty"`
	Stop   bool          `json:"stop,omitempty"`
}

// staffReport answers a measurement.
type staffReport struct {
	Window     time.Duration   `json:"window"`
	Latencies  []time.Duration `json:"latencies"`
	Late       []time.Duration `json:"late"`
	Errors     int             `json:"errors"`
	FirstError string          `json:"first_error,omitempty"`
}

// ServeStaffLoad runs the staff load process until its standard input
// closes and returns the process's exit code.
func ServeStaffLoad(stdin io.Reader, stdout, stderr io.Writer) int {
	in := bufio.NewScanner(stdin)
	var hello staffHello
	if !in.Scan() || json.Unmarshal(in.Bytes(), &hello) != nil || len(hello.Sessions) == 0 {
		fmt.Fprintln(stderr, "staff load: no greeting")
		return 1
	}
	do, done := dashboardLoad(&appliance{base: hello.Base}, hello.Sessions)
	defer done()
	commands := make(chan staffCommand)
	go func() {
		defer close(commands)
		for in.Scan() {
			var cmd staffCommand
			if json.Unmarshal(in.Bytes(), &cmd) == nil {
				commands <- cmd
			}
		}
	}()
	out := json.NewEncoder(stdout)
	for cmd := range commands {
		if cmd.Stop {
			continue // a measurement that already ended
		}
		stop := make(chan struct{})
		result := make(chan Result)
		go func() { result <- openLoop(context.Background(), cmd.Window, stop, do) }()
		var r Result
	wait:
		for {
			select {
			case r = <-result:
				break wait
			case c, ok := <-commands:
				if !ok || (c.Stop && c.Run == cmd.Run) {
					close(stop)
					r = <-result
					break wait
				}
			}
		}
		rep := staffReport{Window: r.Window, Latencies: r.Latencies, Late: r.Late, Errors: r.Errors}
		if r.FirstError != nil {
			rep.FirstError = r.FirstError.Error()
		}
		if err := out.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "staff load:", err)
			return 1
		}
	}
	return 0
}

// staffProcess is the staff load in a process of its own.
type staffProcess struct {
	mu    sync.Mutex // over stdin
	stdin io.WriteCloser
	out   *json.Decoder
	runs  int
	wait  func() error
}

// startStaffProcess starts this executable as the staff load, at the
// highest CPU priority this user may give it; priority names it ("" for
// the normal one).
func startStaffProcess(ctx context.Context, base string, sessions []string) (p *staffProcess, priority string, err error) {
	cmd, priority, err := selfCommand(ctx, staffLoadEnv, highestPriority)
	if err != nil {
		return nil, "", err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start the staff load process: %w", err)
	}
	if p, err = connectStaff(stdin, stdout, base, sessions); err != nil {
		stdin.Close()
		_ = cmd.Wait()
		return nil, "", fmt.Errorf("the staff load process did not start: %w", err)
	}
	p.wait = cmd.Wait
	return p, priority, nil
}

// connectStaff greets the staff load process with the appliance's address
// and the sessions to use.
func connectStaff(stdin io.WriteCloser, stdout io.Reader, base string, sessions []string) (*staffProcess, error) {
	p := &staffProcess{stdin: stdin, out: json.NewDecoder(stdout), wait: func() error { return nil }}
	return p, p.send(staffHello{Base: base, Sessions: sessions})
}

func (p *staffProcess) send(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err = p.stdin.Write(append(line, '\n'))
	return err
}

func (p *staffProcess) measure(ctx context.Context, window time.Duration, stop <-chan struct{}) (Result, error) {
	p.runs++
	run := p.runs
	if err := p.send(staffCommand{Run: run, Window: window}); err != nil {
		return Result{}, fmt.Errorf("staff load process: %w", err)
	}
	ended := make(chan struct{})
	defer close(ended)
	go func() {
		select {
		case <-stop:
		case <-ctx.Done():
		case <-ended:
			return
		}
		_ = p.send(staffCommand{Run: run, Stop: true})
	}()
	var rep staffReport
	if err := p.out.Decode(&rep); err != nil {
		return Result{}, fmt.Errorf("staff load process: %w", err)
	}
	r := Result{Window: rep.Window, Latencies: rep.Latencies, Late: rep.Late, Requests: len(rep.Latencies), Errors: rep.Errors, OtherCPU: -1}
	if rep.FirstError != "" {
		r.FirstError = errors.New(rep.FirstError)
	}
	return r, nil
}

// Close ends the process: its standard input closes, and it exits.
func (p *staffProcess) Close() {
	p.stdin.Close()
	_ = p.wait()
}

// The CPU priorities selfCommand starts a part at.
type priority int

const (
	normalPriority priority = iota
	// lowestPriority is for what stands for other machines' work done for
	// the appliance (the push services): it takes what the appliance
	// leaves.
	lowestPriority
	// highestPriority is for what stands for other machines waiting on the
	// appliance (the staff's browsers): on their own machines they would
	// read an answer the moment it came, and a wait for this machine's
	// CPUs would be counted as the appliance's latency.
	highestPriority
)

// selfCommand is this executable started again with env set to 1 to play
// another part, at prio; how names the priority it runs at ("" for the
// normal one).
//
// The lowest is Linux's idle scheduling class through chrt(1) where chrt is
// found (a niced process still keeps the CPU for the rest of its time slice
// when a normal one wakes; an idle-class one gives it up at once), else
// nice(1) at 19. The highest is the real-time round-robin class through
// chrt, where this user may use it (root, or CAP_SYS_NICE); else the part
// runs at the normal priority. Either tool sets the priority before the
// runtime starts its threads, which inherit it.
func selfCommand(ctx context.Context, env string, prio priority) (cmd *exec.Cmd, how string, err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd = exec.CommandContext(ctx, self)
	chrt, chrtErr := exec.LookPath("chrt")
	switch prio {
	case lowestPriority:
		if chrtErr == nil {
			cmd, how = exec.CommandContext(ctx, chrt, "--idle", "0", self), "the idle scheduling class (SCHED_IDLE)"
		} else if nice, err := exec.LookPath("nice"); err == nil {
			cmd, how = exec.CommandContext(ctx, nice, "-n", "19", self), "the lowest CPU priority (nice 19)"
		}
	case highestPriority:
		rr := []string{"--rr", "10"}
		if chrtErr == nil && exec.CommandContext(ctx, chrt, append(rr, "true")...).Run() == nil {
			cmd, how = exec.CommandContext(ctx, chrt, append(rr, self)...), "real-time round-robin scheduling (SCHED_RR)"
		}
	}
	cmd.Env = append(os.Environ(), env+"=1")
	cmd.Stderr = os.Stderr
	return cmd, how, nil
}
