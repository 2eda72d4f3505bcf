package bench

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"pitlane/notify"
	"pitlane/notify/pushtest"
)

// The push scenario's push service runs in a process of its own, as the
// real ones run on other machines: its decryption and its Go runtime (GC,
// scheduler) then do not share the appliance's, and the appliance's CPU
// figures are the appliance's alone. It still runs on this machine's cores,
// at the lowest CPU priority there is (selfCommand), so it takes what the
// appliance leaves.
// pitlane-bench starts itself again with pushServiceEnv set to be it, and
// drives it through a small HTTP control interface on 127.0.0.1.

// pushServiceEnv, set in pitlane-bench's environment, makes it the push
// service process.
const pushServiceEnv = "PITLANE_BENCH_PUSH_SERVICE"

// IsPushServiceProcess reports whether this process was started to be the
// push scenario's push service.
func IsPushServiceProcess() bool { return os.Getenv(pushServiceEnv) == "1" }

// pushService is what the push scenario needs of a push service:
// *pushtest.Server in this process, or *pushProcess in another.
type pushService interface {
	Subscribe(applicationServerKey string) (pushtest.Subscription, error)
	Client() *http.Client
	CertPEM() []byte
	Count() int
	Verify() int
	Wait(ctx context.Context, n int) error
	Rejections() []pushtest.Rejection
	Close()
}

// pushHello is the line the push service process prints when it is ready.
type pushHello struct {
	Control string `json:"control"` // http://127.0.0.1:port of the control interface
	CertPEM string `json:"cert"`    // the push service's TLS certificate
}

// ServePushService runs the push service until its standard input closes
// (pitlane-bench ended) and returns the process's exit code.
func ServePushService(stdin io.Reader, stdout, stderr io.Writer) int {
	push := pushtest.Start()
	defer push.Close()
	// Like the push services it stands for, it does not decrypt while it
	// takes messages: the scenario has it decrypt them (the phones' work)
	// after each round, outside the measured time.
	push.DecryptLater()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(stderr, "push service:", err)
		return 1
	}
	srv := &http.Server{Handler: pushControl(push), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	hello, _ := json.Marshal(pushHello{Control: "http://" + ln.Addr().String(), CertPEM: string(push.CertPEM())})
	fmt.Fprintf(stdout, "%s\n", hello)
	_, _ = io.Copy(io.Discard, stdin)
	return 0
}

// pushControl serves the control interface: subscribe, count, wait and
// rejections, in JSON.
func pushControl(push *pushtest.Server) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("POST /subscribe", func(w http.ResponseWriter, r *http.Request) {
		sub, err := push.Subscribe(r.URL.Query().Get("key"))
		reply(w, sub, err)
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		reply(w, push.Count(), nil)
	})
	mux.HandleFunc("GET /wait", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err == nil {
			err = push.Wait(r.Context(), n)
		}
		reply(w, push.Count(), err)
	})
	mux.HandleFunc("POST /verify", func(w http.ResponseWriter, r *http.Request) {
		reply(w, push.Verify(), nil)
	})
	mux.HandleFunc("GET /rejections", func(w http.ResponseWriter, r *http.Request) {
		reply(w, push.Rejections(), nil)
	})
	return mux
}

// pushProcess is the push service in its own process.
type pushProcess struct {
	stdin   io.Closer
	wait    func() error // until the process exited
	control string
	ctl     *http.Client // to the control interface
	client  *http.Client // to the push service, trusting its certificate
	cert    []byte       // the push service's certificate, PEM
}

// startPushProcess starts this executable as the push service at the
// lowest CPU priority there is; priority names it ("" if none was found).
func startPushProcess(ctx context.Context, concurrency int) (p *pushProcess, priority string, err error) {
	cmd, priority, err := selfCommand(ctx, pushServiceEnv, lowestPriority)
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
		return nil, "", fmt.Errorf("start the push service process: %w", err)
	}
	if p, err = connectPush(stdin, stdout, concurrency); err != nil {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, "", fmt.Errorf("the push service process did not start: %w", err)
	}
	p.wait = cmd.Wait
	return p, priority, nil
}

// connectPush reads the push service's greeting from stdout and returns
// it ready to use; closing stdin ends it.
func connectPush(stdin io.Closer, stdout io.Reader, concurrency int) (*pushProcess, error) {
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	var hello pushHello
	if err := json.Unmarshal(line, &hello); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(hello.CertPEM)) {
		return nil, errors.New("no certificate in its greeting")
	}
	client := notify.NewClient(concurrency)
	tr := client.Transport.(*http.Transport)
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	tr.ForceAttemptHTTP2 = true
	return &pushProcess{stdin: stdin, control: hello.Control, client: client, cert: []byte(hello.CertPEM),
		ctl: &http.Client{Timeout: 5 * time.Minute}, wait: func() error { return nil }}, nil
}

func (p *pushProcess) call(ctx context.Context, method, path string, q url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, p.control+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	res, err := p.ctl.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 500))
		return fmt.Errorf("push service %s: %s", path, msg)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (p *pushProcess) Subscribe(key string) (pushtest.Subscription, error) {
	var sub pushtest.Subscription
	err := p.call(context.Background(), http.MethodPost, "/subscribe", url.Values{"key": {key}}, &sub)
	return sub, err
}

func (p *pushProcess) Client() *http.Client { return p.client }

func (p *pushProcess) CertPEM() []byte { return p.cert }

// Count is how many messages the push service accepted; -1 if it cannot say.
func (p *pushProcess) Count() int {
	n := -1
	if err := p.call(context.Background(), http.MethodGet, "/count", nil, &n); err != nil {
		return -1
	}
	return n
}

func (p *pushProcess) Wait(ctx context.Context, n int) error {
	var got int
	return p.call(ctx, http.MethodGet, "/wait", url.Values{"n": {strconv.Itoa(n)}}, &got)
}

// Verify has the push service decrypt what it accepted, and says how many
// messages it decrypted; -1 if it cannot say.
func (p *pushProcess) Verify() int {
	n := -1
	if err := p.call(context.Background(), http.MethodPost, "/verify", nil, &n); err != nil {
		return -1
	}
	return n
}

func (p *pushProcess) Rejections() []pushtest.Rejection {
	var r []pushtest.Rejection
	if err := p.call(context.Background(), http.MethodGet, "/rejections", nil, &r); err != nil {
		return []pushtest.Rejection{{Reason: "cannot ask the push service: " + err.Error()}}
	}
	return r
}

// Close ends the process: its standard input closes, and it exits.
func (p *pushProcess) Close() {
	p.client.CloseIdleConnections()
	p.stdin.Close()
	_ = p.wait()
}
