package store

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestJobNumbersPerYear(t *testing.T) {
	s, clk := openTestClock(t)
	c := mustCustomer(t, s, "Mario", "", "")
	v := mustVehicle(t, s, c.ID, "AB123CD")

	steps := []struct {
		now    time.Time
		opened time.Time // zero: now
		want   string
	}{
		{t0, time.Time{}, "2026-000001"},
		{t0, time.Time{}, "2026-000002"},
		{t0.Add(time.Hour), time.Time{}, "2026-000003"},
		{time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC), time.Time{}, "2027-000001"},
		{time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), time.Time{}, "2027-000002"},
		// A job back-dated to last year takes last year's next number.
		{time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 30, 10, 0, 0, 0, time.UTC), "2026-000004"},
		{time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC), time.Time{}, "2027-000003"},
	}
	for i, st := range steps {
		t.Run(fmt.Sprint(i, " ", st.want), func(t *testing.T) {
			clk.Set(st.now)
			j, err := s.CreateJob(staff, Job{VehicleID: v.ID, Opened: st.opened})
			if err != nil {
				t.Fatal(err)
			}
			if j.Number != st.want {
				t.Errorf("Number = %s, want %s", j.Number, st.want)
			}
			wantOpened := st.opened
			if wantOpened.IsZero() {
				wantOpened = st.now
			}
			if !j.Opened.Equal(wantOpened) {
				t.Errorf("Opened = %v, want %v", j.Opened, wantOpened)
			}
			if stored, err := s.Job(j.ID); err != nil || stored.Number != st.want {
				t.Errorf("Job(%d) = %+v, %v", j.ID, stored, err)
			}
		})
	}
}

func TestCreateJob(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	v := mustVehicle(t, s, c.ID, "AB123CD")
	j, err := s.CreateJob(staff, Job{VehicleID: v.ID, CustomerID: 999, Description: "  Brakes  "})
	if err != nil {
		t.Fatal(err)
	}
	if j.CustomerID != c.ID || j.Stage != StageCheckedIn || j.Description != "Brakes" || j.ID == 0 || !j.Updated.Equal(t0) {
		t.Errorf("CreateJob = %+v, want customer %d from the car, stage checked_in", j, c.ID)
	}
	if a := lastAudit(t, s); a.Action != "job_create" || a.Detail != j.Number {
		t.Errorf("audit = %+v", a)
	}
	if _, err := s.Job(999); !Is(err, CodeNotFound) {
		t.Errorf("Job(999) err = %v", err)
	}

	tests := []struct {
		name  string
		job   Job
		field string
	}{
		{"unknown vehicle", Job{VehicleID: 999}, "vehicle_id"},
		{"no vehicle", Job{}, "vehicle_id"},
		{"unknown stage", Job{VehicleID: v.ID, Stage: "parked"}, "stage"},
		{"stage in capitals", Job{VehicleID: v.ID, Stage: "READY"}, "stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			_, err := s.CreateJob(staff, tt.job)
			wantError(t, err, CodeInvalid, []string{tt.field})
			wantUnchanged(t, s, before)
		})
	}
}

func TestSetJobStage(t *testing.T) {
	s, clk := openTestClock(t)
	mustCustomer(t, s, "Walk-in", "", "") // customer and vehicle IDs differ
	c := mustCustomer(t, s, "Mario", "", "")
	v := mustVehicle(t, s, c.ID, "AB123CD")
	j := mustJob(t, s, v.ID, "")
	other := mustJob(t, s, v.ID, StageInProgress)

	clk.Advance(time.Hour)
	moved, err := s.SetJobStage(staff, j.ID, StageReady)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Stage != StageReady || !moved.Updated.Equal(t0.Add(time.Hour)) || moved.Number != j.Number {
		t.Errorf("SetJobStage = %+v", moved)
	}
	if stored, _ := s.Job(j.ID); !reflect.DeepEqual(stored, moved) {
		t.Errorf("stored %+v, returned %+v", stored, moved)
	}
	counts, _ := s.Counts()
	want := map[string]int64{StageCheckedIn: 0, StageInProgress: 1, StageWaitingParts: 0, StageReady: 1, StageDelivered: 0}
	if fmt.Sprint(counts.JobsBy) != fmt.Sprint(want) {
		t.Errorf("Counts.JobsBy = %v, want %v", counts.JobsBy, want)
	}
	if got := jobIDs(t, s, StageCheckedIn, 10); len(got) != 0 {
		t.Errorf("checked_in still lists %v", got)
	}
	if got := jobIDs(t, s, StageReady, 10); !slices.Equal(got, []uint64{j.ID}) {
		t.Errorf("ready lists %v, want [%d]", got, j.ID)
	}

	due, _ := s.DueNotifications(10)
	wantN := Notification{ID: due[0].ID, CustomerID: c.ID, Category: "workshop", Urgent: true,
		TitleKey: "notify.job_stage.title", BodyKey: "stage.ready", Args: []string{"number", j.Number},
		URL: fmt.Sprintf("/app/jobs/%d", j.ID), Created: t0.Add(time.Hour), Status: NotifyPending, NextTry: t0.Add(time.Hour)}
	if len(due) != 1 || fmt.Sprint(due[0]) != fmt.Sprint(wantN) {
		t.Errorf("queued %+v, want %+v", due, wantN)
	}
	if a := lastAudit(t, s); a.Action != "job_stage" || a.Record != j.ID || a.Detail != j.Number+": checked_in → ready" {
		t.Errorf("audit = %+v", a)
	}

	t.Run("same stage again changes nothing", func(t *testing.T) {
		before := dump(t, s)
		again, err := s.SetJobStage(staff, j.ID, StageReady)
		if err != nil || again.Stage != StageReady {
			t.Fatalf("SetJobStage same stage = %+v, %v", again, err)
		}
		wantUnchanged(t, s, before)
	})

	for _, stage := range []string{"", "finished", "Ready", "ready\x00"} {
		t.Run(fmt.Sprintf("invalid stage %q", stage), func(t *testing.T) {
			before := dump(t, s)
			_, err := s.SetJobStage(staff, other.ID, stage)
			wantError(t, err, CodeInvalid, []string{"stage"})
			wantUnchanged(t, s, before)
		})
	}
}

func jobIDs(t *testing.T, s *Store, stage string, limit int) []uint64 {
	t.Helper()
	jobs, err := s.JobsInStage(stage, limit)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, j := range jobs {
		if j.Stage != stage {
			t.Errorf("JobsInStage(%s) returned job %d in %s", stage, j.ID, j.Stage)
		}
		ids = append(ids, j.ID)
	}
	return ids
}

func TestJobsInStage(t *testing.T) {
	// In byte order the stages are checked_in < delivered < in_progress <
	// ready < waiting_parts: every listing has neighbours on both sides or
	// sits at an end of the index.
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	v := mustVehicle(t, s, c.ID, "AB123CD")
	plan := []string{
		StageInProgress, StageCheckedIn, StageWaitingParts, StageInProgress, StageCheckedIn,
		StageInProgress, StageWaitingParts, StageCheckedIn, StageInProgress,
	}
	byStage := map[string][]uint64{}
	for _, st := range plan {
		j := mustJob(t, s, v.ID, st)
		byStage[st] = append([]uint64{j.ID}, byStage[st]...) // newest first
	}
	// One job walks through to ready, leaving no trace behind.
	walker := mustJob(t, s, v.ID, "")
	for _, st := range []string{StageInProgress, StageWaitingParts, StageReady} {
		if _, err := s.SetJobStage(staff, walker.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	byStage[StageReady] = []uint64{walker.ID}

	tests := []struct {
		stage string
		limit int
		want  []uint64
	}{
		{StageCheckedIn, 10, byStage[StageCheckedIn]},
		{StageCheckedIn, 2, byStage[StageCheckedIn][:2]},
		{StageDelivered, 10, nil},
		{StageInProgress, 10, byStage[StageInProgress]},
		{StageInProgress, 1, byStage[StageInProgress][:1]},
		{StageReady, 10, byStage[StageReady]},
		{StageWaitingParts, 10, byStage[StageWaitingParts]},
		{StageWaitingParts, 0, nil},
		{"in", 10, nil},
		{"checked", 10, nil},
		{"zzz", 10, nil},
		{"", 10, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s limit %d", tt.stage, tt.limit), func(t *testing.T) {
			if got := jobIDs(t, s, tt.stage, tt.limit); !slices.Equal(got, tt.want) {
				t.Errorf("JobsInStage(%q, %d) = %v, want %v", tt.stage, tt.limit, got, tt.want)
			}
		})
	}

	counts, _ := s.Counts()
	for _, st := range Stages {
		if counts.JobsBy[st] != int64(len(byStage[st])) {
			t.Errorf("Counts.JobsBy[%s] = %d, want %d", st, counts.JobsBy[st], len(byStage[st]))
		}
	}
}

func TestJobsInStageOnlyStage(t *testing.T) {
	// The listed stage is the only one in the index: nothing before or after.
	for _, stage := range Stages {
		t.Run(stage, func(t *testing.T) {
			s := openTest(t)
			c := mustCustomer(t, s, "Mario", "", "")
			v := mustVehicle(t, s, c.ID, "AB123CD")
			a := mustJob(t, s, v.ID, stage)
			b := mustJob(t, s, v.ID, stage)
			if got := jobIDs(t, s, stage, 10); !slices.Equal(got, []uint64{b.ID, a.ID}) {
				t.Errorf("JobsInStage(%s) = %v, want [%d %d]", stage, got, b.ID, a.ID)
			}
			for _, other := range Stages {
				if other != stage {
					if got := jobIDs(t, s, other, 10); len(got) != 0 {
						t.Errorf("JobsInStage(%s) = %v, want none", other, got)
					}
				}
			}
		})
	}
}
