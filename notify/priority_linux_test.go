package notify

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"pitlane/store"
)

// Every thread of the sender runs at the lowest nice value with a short
// time slice, those it started after lowering itself included, so the
// staff's threads take the CPU from it soon after they wake.
func TestSenderThreadsRunAtLowestPriority(t *testing.T) {
	f := newFixture(t)
	procs := f.senders(t)
	_, id := f.jobReady(t, f.cust.ID)
	stop := f.run(t, &Notifier{Process: procs.Process})
	defer stop()
	if n := f.settled(t, id); n.Status != store.NotifyDelivered {
		t.Fatalf("notification %+v", n)
	}
	pid := procs.started()[0].Process.Pid
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 2 {
		t.Fatalf("the sender has %d threads", len(tasks))
	}
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			t.Fatal(err)
		}
		attr, err := unix.SchedGetAttr(tid, 0)
		if err != nil {
			t.Fatalf("thread %d: %v", tid, err)
		}
		if attr.Policy != unix.SCHED_NORMAL || attr.Nice != senderNice {
			t.Errorf("thread %d of %d: policy %d nice %d, want %d and %d", tid, len(tasks), attr.Policy, attr.Nice, unix.SCHED_NORMAL, senderNice)
		}
		// Kernels before EEVDF's custom slices report none.
		if attr.Runtime != 0 && attr.Runtime != uint64(senderSlice.Nanoseconds()) {
			t.Errorf("thread %d of %d: time slice %v, want %v", tid, len(tasks), time.Duration(attr.Runtime), senderSlice)
		}
	}
}

// The appliance lowers a sender it just started, so the sender's own
// start-up does not run at the staff's priority.
func TestStartedSenderIsLoweredAtOnce(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep(1) to start:", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	lowerStarted(cmd.Process.Pid)
	attr, err := unix.SchedGetAttr(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	if attr.Nice != senderNice {
		t.Errorf("nice %d right after the start, want %d", attr.Nice, senderNice)
	}
}
