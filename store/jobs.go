package store

import (
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Job stages, in the order a car goes through them.
const (
	StageCheckedIn    = "checked_in"
	StageInProgress   = "in_progress"
	StageWaitingParts = "waiting_parts"
	StageReady        = "ready"
	StageDelivered    = "delivered"
)

// Stages lists the job stages in order.
var Stages = []string{StageCheckedIn, StageInProgress, StageWaitingParts, StageReady, StageDelivered}

// Job is a work order on one car.
type Job struct {
	ID          uint64    `json:"id"`
	Number      string    `json:"number"`
	CustomerID  uint64    `json:"customer_id"`
	VehicleID   uint64    `json:"vehicle_id"`
	Stage       string    `json:"stage"`
	Description string    `json:"description"`
	Opened      time.Time `json:"opened"`
	Updated     time.Time `json:"updated"`
	// Technician is the staff member's name the job is assigned to.
	Technician string           `json:"technician,omitempty"`
	CheckIn    *CheckIn         `json:"checkin,omitempty"`
	Inspection []InspectionItem `json:"inspection,omitempty"`
	Lines      []Line           `json:"lines,omitempty"`
	Invoice    *Invoice         `json:"invoice,omitempty"`
	// LastLine numbers the job's lines; a deleted line's number is not reused.
	LastLine int `json:"last_line,omitempty"`
	// AppointmentID is the appointment the job was opened from, 0 if none.
	AppointmentID uint64 `json:"appointment_id,omitempty"`
}

func stageKey(stage string, id uint64) []byte { return append([]byte(stage+"\x00"), itob(id)...) }

func (s *Store) putNewJob(w writer, j *Job) error {
	if j.Stage != "" && !validStage(j.Stage) {
		return Invalid("stage", "jobs.error.stage_invalid")
	}
	if w.tx.Bucket(bVehicles).Get(itob(j.VehicleID)) == nil {
		return Invalid("vehicle_id", "errors.not_found")
	}
	b := w.tx.Bucket(bJobs)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	year := j.Opened.Year()
	if j.Opened.IsZero() {
		j.Opened = w.now
		year = w.now.Year()
	}
	yearName := fmt.Sprintf("jobno:%d", year)
	if err := counter(w.tx, yearName, 1); err != nil {
		return err
	}
	j.ID, j.Updated = id, w.now
	j.Number = fmt.Sprintf("%d-%06d", year, readCounter(w.tx, yearName))
	if j.Stage == "" {
		j.Stage = StageCheckedIn
	}
	if err := putJSON(b, itob(id), j); err != nil {
		return err
	}
	if err := w.tx.Bucket(bJobsByStage).Put(stageKey(j.Stage, id), nil); err != nil {
		return err
	}
	if err := counter(w.tx, "jobs:"+j.Stage, 1); err != nil {
		return err
	}
	if err := w.tx.Bucket(bJobsByVehicle).Put(append(itob(j.VehicleID), itob(id)...), nil); err != nil {
		return err
	}
	if err := w.timeline(j.CustomerID, "job", id, "timeline.job_opened", "number", j.Number); err != nil {
		return err
	}
	return w.change("job", id, OpPut)
}

func validStage(stage string) bool { return contains(Stages, stage) }

// CreateJob opens a work order.
func (s *Store) CreateJob(a Actor, j Job) (Job, error) {
	j.Description = strings.TrimSpace(j.Description)
	if j.Stage != "" && !validStage(j.Stage) {
		return j, Invalid("stage", "jobs.error.stage_invalid")
	}
	err := s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		var v Vehicle
		if err := getJSON(tx.Bucket(bVehicles), itob(j.VehicleID), &v); err != nil {
			return Invalid("vehicle_id", "errors.not_found")
		}
		j.CustomerID = v.CustomerID
		if err := s.putNewJob(w, &j); err != nil {
			return err
		}
		return w.audit(a, "job_create", "job", j.ID, j.Number)
	})
	return j, err
}

// Job returns one work order.
func (s *Store) Job(id uint64) (Job, error) {
	var j Job
	err := s.view(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bJobs), itob(id), &j) })
	return j, err
}

// SetJobStage moves a job to another stage and, in the same transaction,
// queues the customer's notification.
func (s *Store) SetJobStage(a Actor, id uint64, stage string) (Job, error) {
	if !validStage(stage) {
		return Job{}, Invalid("stage", "jobs.error.stage_invalid")
	}
	var j Job
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bJobs)
		if err := getJSON(b, itob(id), &j); err != nil {
			return err
		}
		if j.Stage == stage {
			return nil
		}
		w := s.writer(tx)
		idx := tx.Bucket(bJobsByStage)
		if err := idx.Delete(stageKey(j.Stage, id)); err != nil {
			return err
		}
		if err := counter(tx, "jobs:"+j.Stage, -1); err != nil {
			return err
		}
		old := j.Stage
		j.Stage, j.Updated = stage, w.now
		if err := idx.Put(stageKey(stage, id), nil); err != nil {
			return err
		}
		if err := counter(tx, "jobs:"+stage, 1); err != nil {
			return err
		}
		if err := putJSON(b, itob(id), j); err != nil {
			return err
		}
		if err := w.change("job", id, OpPut); err != nil {
			return err
		}
		if err := w.timeline(j.CustomerID, "job", id, "timeline.job_stage", "number", j.Number, "stage", stage); err != nil {
			return err
		}
		ws, err := readWorkshop(tx)
		if err != nil {
			return err
		}
		n := Notification{CustomerID: j.CustomerID, Category: "workshop", Urgent: true,
			TitleKey: "notify.job_stage.title", BodyKey: "stage." + stage,
			Args: []string{"number", j.Number}, URL: fmt.Sprintf("/app/jobs/%d", id)}
		if label := ws.StageLabel(stage); label != "" {
			// The dealership's own name, as typed: the same in every language.
			n.BodyKey, n.Args = "notify.job_stage.body", append(n.Args, "stage", label)
		}
		if _, err := w.notify(n); err != nil {
			return err
		}
		return w.audit(a, "job_stage", "job", id, j.Number+": "+old+" → "+stage)
	})
	return j, err
}

// JobsInStage lists up to limit jobs in a stage, newest first.
func (s *Store) JobsInStage(stage string, limit int) ([]Job, error) {
	var out []Job
	err := s.view(func(tx *bolt.Tx) error {
		all := tx.Bucket(bJobs)
		c := tx.Bucket(bJobsByStage).Cursor()
		prefix := []byte(stage + "\x00")
		k, _ := c.Seek(append(append([]byte(nil), prefix...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && len(out) < limit && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Prev() {
			var j Job
			if err := getJSON(all, k[len(prefix):], &j); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// Counts is what the dashboard shows at a glance.
type Counts struct {
	Customers int64
	Vehicles  int64
	JobsBy    map[string]int64
}

// Counts reads the maintained counters; it never scans a bucket.
func (s *Store) Counts() (Counts, error) {
	c := Counts{JobsBy: map[string]int64{}}
	err := s.view(func(tx *bolt.Tx) error {
		c.Customers = readCounter(tx, "customers")
		c.Vehicles = readCounter(tx, "vehicles")
		for _, st := range Stages {
			c.JobsBy[st] = readCounter(tx, "jobs:"+st)
		}
		return nil
	})
	return c, err
}

// VehicleJobs lists a car's jobs, newest first.
func (s *Store) VehicleJobs(vehicleID uint64) ([]Job, error) {
	var out []Job
	err := s.view(func(tx *bolt.Tx) error {
		all := tx.Bucket(bJobs)
		c := tx.Bucket(bJobsByVehicle).Cursor()
		for k, _ := c.Seek(itob(vehicleID)); k != nil && btoi(k[:8]) == vehicleID; k, _ = c.Next() {
			var j Job
			if err := getJSON(all, k[8:], &j); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}
