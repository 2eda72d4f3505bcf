package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/SherClockHolmes/webpush-go"

	"pitlane/store"
)

// Sending in a process of its own. Encrypting, signing and posting ten
// thousand messages is a second or two of CPU, and in the appliance's
// process that work shares the Go scheduler's queues and the garbage
// collector with the staff's pages: measured on two cores, the dashboard's
// p99 rose by about 300 % while a campaign went out, and by about half as
// much with the same work in another process. So the
// appliance starts itself again as the sender (SelfProcess), at a lower
// priority and on one CPU, and keeps everything that touches the store:
// it reads the outbox, hands the sender one message per line on its
// standard input, and records each answer the sender prints. The sender
// holds nothing the appliance does not know: when it dies, the messages it
// had are retried as any unanswered request is; when the appliance dies,
// its standard input closes and it exits.

// SenderEnv, set in the environment, makes the binary the sender
// (ServeSender) instead of what it would otherwise be.
const SenderEnv = "PITLANE_PUSH_SENDER"

// IsSenderProcess reports whether this process was started to be the sender.
func IsSenderProcess() bool { return os.Getenv(SenderEnv) == "1" }

// SelfProcess returns how to start this executable as the sender, with env
// added to its environment (SSL_CERT_FILE for a test push service).
func SelfProcess(env ...string) (func() *exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program to start the push sender: %w", err)
	}
	return func() *exec.Cmd {
		cmd := exec.Command(self)
		cmd.Env = append(append(os.Environ(), SenderEnv+"=1"), env...)
		belowNormal(cmd)
		return cmd
	}, nil
}

// senderHello is the sender's first line: the keys to sign with and how
// many requests may be in flight.
type senderHello struct {
	VAPID       store.VAPIDKeys `json:"vapid"`
	Concurrency int             `json:"concurrency"`
}

// senderJob is one message for one subscription.
type senderJob struct {
	ID       uint64 `json:"id"`
	Endpoint string `json:"endpoint"`
	P256dh   string `json:"p256dh"`
	Auth     string `json:"auth"`
	Payload  []byte `json:"payload"`
	TTL      int64  `json:"ttl"` // seconds
	Urgency  string `json:"urgency"`
	Subject  string `json:"subject"`
}

// senderReply is the sender's answer to one job.
type senderReply struct {
	ID     uint64 `json:"id"`
	Answer answer `json:"answer"`
}

// ServeSender is the sender's main: it reads the hello and then jobs on
// stdin, posts each and prints its answer on stdout, until stdin closes.
// It returns the process's exit code.
func ServeSender(stdin io.Reader, stdout, stderr io.Writer) int {
	// One CPU is several thousand messages a second; the others are the
	// staff's.
	runtime.GOMAXPROCS(1)
	lowerPriority()
	// A terminal's Ctrl-C or the service manager's stop reaches the whole
	// process group; the appliance then lets requests in flight finish and
	// closes stdin, which is when the sender stops.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	dec := json.NewDecoder(bufio.NewReader(stdin))
	var hello senderHello
	if err := dec.Decode(&hello); err != nil {
		fmt.Fprintln(stderr, "push sender: no hello:", err)
		return 2
	}
	signer, err := newVAPID(hello.VAPID)
	if err != nil {
		fmt.Fprintln(stderr, "push sender:", err)
		return 2
	}
	// On one CPU, messages are encrypted one at a time.
	p := newLocalPoster(NewClient(max(1, hello.Concurrency)), signer, 1)
	// When stdin closes the appliance has stopped (after letting requests
	// finish) or died: either way no answer can be recorded any more.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	enc := json.NewEncoder(stdout)
	for {
		var j senderJob
		if err := dec.Decode(&j); err != nil {
			break
		}
		wg.Go(func() {
			a := p.post(ctx, message{payload: j.Payload, ttl: time.Duration(j.TTL) * time.Second,
				urgency: webpush.Urgency(j.Urgency), subject: j.Subject},
				store.PushSubscription{Endpoint: j.Endpoint, P256dh: j.P256dh, Auth: j.Auth})
			mu.Lock()
			defer mu.Unlock()
			_ = enc.Encode(senderReply{ID: j.ID, Answer: a})
		})
	}
	cancel()
	wg.Wait()
	return 0
}

// processPoster posts through a sender process, starting it when it is
// first needed and again after it died.
type processPoster struct {
	start      func() *exec.Cmd
	hello      senderHello
	logger     *slog.Logger
	stuckAfter time.Duration // without an answer, the sender is stuck

	mu     sync.Mutex
	proc   *senderProc
	killed []*senderProc // stuck ones, killed: Close waits until they exited
	nextID uint64
}

// senderProc is one running sender.
type senderProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{} // closed when its stdout ended: it exited or is exiting
	exit  error         // why, once done is closed

	wmu sync.Mutex // one job written at a time
	enc *json.Encoder

	mu      sync.Mutex
	waiting map[uint64]chan answer
}

func newProcessPoster(start func() *exec.Cmd, hello senderHello, logger *slog.Logger) *processPoster {
	return &processPoster{start: start, hello: hello, logger: logger, stuckAfter: requestTimeout + 15*time.Second}
}

func (p *processPoster) post(ctx context.Context, msg message, sub store.PushSubscription) answer {
	sp, id, err := p.running()
	if err != nil {
		return answer{Err: "the push sender did not start: " + err.Error()}
	}
	ch := make(chan answer, 1)
	sp.mu.Lock()
	sp.waiting[id] = ch
	sp.mu.Unlock()
	defer func() {
		sp.mu.Lock()
		delete(sp.waiting, id)
		sp.mu.Unlock()
	}()
	sp.wmu.Lock()
	err = sp.enc.Encode(senderJob{ID: id, Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth,
		Payload: msg.payload, TTL: int64(msg.ttl / time.Second), Urgency: string(msg.urgency), Subject: msg.subject})
	sp.wmu.Unlock()
	if err != nil {
		return answer{Err: "the push sender stopped: " + err.Error()}
	}
	// The sender gives up on a request after requestTimeout; one that says
	// nothing well past that is stuck, and is replaced.
	stuck := time.NewTimer(p.stuckAfter)
	defer stuck.Stop()
	select {
	case a := <-ch:
		return a
	case <-sp.done:
		return answer{Err: fmt.Sprintf("the push sender stopped: %v", sp.exit)}
	case <-ctx.Done():
		return answer{Stopped: true}
	case <-stuck.C:
		p.mu.Lock()
		if p.proc == sp {
			p.proc = nil // the next message starts another
			p.killed = append(p.killed, sp)
		}
		p.mu.Unlock()
		_ = sp.cmd.Process.Kill()
		return answer{Err: "the push sender did not answer; it was stopped"}
	}
}

// running returns the sender, started if there is none alive, and an ID
// for a job.
func (p *processPoster) running() (*senderProc, uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	if p.proc != nil {
		select {
		case <-p.proc.done:
			p.logger.Error("the push sender stopped; starting it again", "err", p.proc.exit)
			p.proc = nil
		default:
			return p.proc, p.nextID, nil
		}
	}
	cmd := p.start()
	if cmd.Stderr == nil {
		// What the sender has to say goes to the appliance's log (a Windows
		// service has no standard error to inherit).
		cmd.Stderr = logWriter{p.logger}
	}
	sp, err := startSender(cmd, p.hello)
	if err != nil {
		return nil, 0, err
	}
	p.proc = sp
	return sp, p.nextID, nil
}

func startSender(cmd *exec.Cmd, hello senderHello) (*senderProc, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lowerStarted(cmd.Process.Pid)
	sp := &senderProc{cmd: cmd, stdin: stdin, done: make(chan struct{}), enc: json.NewEncoder(stdin),
		waiting: map[uint64]chan answer{}}
	go sp.read(stdout)
	if err := sp.enc.Encode(hello); err != nil {
		sp.stop()
		return nil, err
	}
	return sp, nil
}

// read hands each answer to the job waiting for it, until the sender's
// stdout ends.
func (sp *senderProc) read(stdout io.Reader) {
	dec := json.NewDecoder(bufio.NewReader(stdout))
	var err error
	for {
		var r senderReply
		if err = dec.Decode(&r); err != nil {
			break
		}
		sp.mu.Lock()
		ch := sp.waiting[r.ID]
		sp.mu.Unlock()
		if ch != nil {
			ch <- r.Answer
		}
	}
	werr := sp.cmd.Wait()
	switch {
	case werr != nil:
		err = werr
	case errors.Is(err, io.EOF):
		err = errors.New("it exited")
	}
	sp.exit = err
	close(sp.done)
}

// stop closes the sender's stdin, so it exits, and waits for it; it is
// killed if it has not exited within a few seconds.
func (sp *senderProc) stop() {
	_ = sp.stdin.Close()
	select {
	case <-sp.done:
	case <-time.After(5 * time.Second):
		_ = sp.cmd.Process.Kill()
		<-sp.done
	}
}

// Close stops the sender, if one runs, and waits for any it killed.
func (p *processPoster) Close() {
	p.mu.Lock()
	sp, killed := p.proc, p.killed
	p.proc, p.killed = nil, nil
	p.mu.Unlock()
	if sp != nil {
		sp.stop()
	}
	for _, k := range killed {
		<-k.done
	}
}

// logWriter logs what the sender writes on its standard error.
type logWriter struct{ logger *slog.Logger }

func (w logWriter) Write(b []byte) (int, error) {
	if msg := strings.TrimSpace(string(b)); msg != "" {
		w.logger.Warn("push sender: " + msg)
	}
	return len(b), nil
}
