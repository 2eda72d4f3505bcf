package store

import (
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func video(name string) Attachment {
	return Attachment{Media: fakeHash(name), Type: "video/mp4", Size: 99999, Name: name + ".mp4"}
}

// workshopFiles gives Mario (the booking fixture's customer) an
// appointment request with a photo and a job on his car with a check-in
// photo, an inspection video and an invoice PDF from the accounting system.
func workshopFiles(t *testing.T, f bookingFixture) (Appointment, Job) {
	t.Helper()
	ap, err := f.s.RequestAppointment(Actor{Kind: "customer", Name: "Mario"}, f.mario.ID, BookingRequest{VehicleID: f.car.ID,
		Department: "Mechanics", Services: []uint64{f.oil}, Start: f.at(16, 9, 0), Attachments: []Attachment{photo("leak")}})
	if err != nil {
		t.Fatal(err)
	}
	j := mustJob(t, f.s, f.car.ID, "")
	if _, err := f.s.CheckInJob(staff, j.ID, CheckIn{Km: 1000, Fuel: 4, Attachments: []Attachment{photo("scratch")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.StartInspection(staff, j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetInspectionItem(staff, j.ID, 0, InspectionItem{Status: ItemRed, Attachments: []Attachment{video("pads")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddLine(staff, j.ID, Line{Kind: LineLabour, Description: "Pads", Qty: 100, UnitPrice: 100, Status: LineApproved}); err != nil {
		t.Fatal(err)
	}
	if j, err = f.s.IssueInvoice(staff, j.ID, "FT 7/2026", fakeHash("invoice")); err != nil {
		t.Fatal(err)
	}
	return ap, j
}

func TestWorkshopFilesBelongToTheirCustomer(t *testing.T) {
	f := newBookingFixture(t)
	ap, j := workshopFiles(t, f)
	if len(ap.Attachments) != 1 || ap.Attachments[0].Name != "leak.jpg" {
		t.Fatalf("appointment attachments %+v", ap.Attachments)
	}
	if j.CheckIn == nil || len(j.CheckIn.Attachments) != 1 || len(j.Inspection[0].Attachments) != 1 || j.Invoice.Upload != fakeHash("invoice") {
		t.Fatalf("job %+v", j)
	}
	for _, c := range []struct {
		name, hash, ctype, file string
	}{
		{"the request's photo", fakeHash("leak"), "image/jpeg", "leak.jpg"},
		{"its thumbnail", fakeHash("leak-thumb"), "image/jpeg", ""},
		{"the check-in photo", fakeHash("scratch"), "image/jpeg", "scratch.jpg"},
		{"the inspection video", fakeHash("pads"), "video/mp4", "pads.mp4"},
		{"the uploaded invoice", fakeHash("invoice"), "application/pdf", "invoice-FT 7/2026.pdf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, who := range []uint64{f.mario.ID, 0} {
				got, err := f.s.MediaFile(who, c.hash)
				if err != nil || got.Type != c.ctype || got.Name != c.file || !got.Workshop || got.Message {
					t.Errorf("customer %d: %+v, %v", who, got, err)
				}
			}
			if _, err := f.s.MediaFile(f.ana.ID, c.hash); !Is(err, CodeNotFound) {
				t.Errorf("another customer: %v, want not found", err)
			}
		})
	}
	refs, err := f.s.MediaRefs()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"leak", "leak-thumb", "scratch", "scratch-thumb", "pads", "invoice"} {
		if !slices.Contains(refs, fakeHash(h)) {
			t.Errorf("backups would not carry %s", h)
		}
	}
}

func TestWorkshopFileAlsoOnAMessage(t *testing.T) {
	f := newBookingFixture(t)
	workshopFiles(t, f)
	if _, err := f.s.StaffMessage(staff, f.mario.ID, "", []Attachment{photo("scratch")}); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.MediaFile(f.mario.ID, fakeHash("scratch"))
	if err != nil || !got.Message || !got.Workshop || got.Name != "scratch.jpg" {
		t.Errorf("%+v, %v; want a file of both a message and a job", got, err)
	}
}

func TestWorkshopFileRefusals(t *testing.T) {
	f := newBookingFixture(t)
	req := BookingRequest{VehicleID: f.car.ID, Department: "Mechanics", Services: []uint64{f.oil}, Start: f.at(16, 9, 0)}
	many := make([]Attachment, MaxAttachments+1)
	for i := range many {
		many[i] = photo(string(rune('a' + i)))
	}
	j := mustJob(t, f.s, f.car.ID, "")
	if _, err := f.s.StartInspection(staff, j.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		do    func() error
		field string // "" for a handler's mistake, not the user's
	}{
		{"a request with too many files", func() error {
			r := req
			r.Attachments = many
			_, err := f.s.RequestAppointment(staff, f.mario.ID, r)
			return err
		}, "files"},
		{"a request with a file that is no photo", func() error {
			r := req
			r.Attachments = []Attachment{{Media: fakeHash("doc"), Type: "application/pdf", Size: 10}}
			_, err := f.s.RequestAppointment(staff, f.mario.ID, r)
			return err
		}, ""},
		{"a check-in with too many files", func() error {
			_, err := f.s.CheckInJob(staff, j.ID, CheckIn{Km: 10, Attachments: many})
			return err
		}, "files"},
		{"an item past its files", func() error {
			_, err := f.s.SetInspectionItem(staff, j.ID, 0, InspectionItem{Status: ItemRed, Attachments: many[:MaxAttachments]})
			if err != nil {
				return err
			}
			_, err = f.s.SetInspectionItem(staff, j.ID, 0, InspectionItem{Status: ItemRed, Attachments: many[:1]})
			return err
		}, "files"},
		{"an invoice upload that is no media hash", func() error {
			_, err := f.s.IssueInvoice(staff, j.ID, "7", "../pitlane.db")
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if tt.field == "" {
				if err == nil || Is(err, CodeInvalid) {
					t.Fatalf("%v, want an internal error", err)
				}
				return
			}
			wantError(t, err, CodeInvalid, []string{tt.field})
		})
	}
	got, _ := f.s.Job(j.ID)
	if n := len(got.Inspection[0].Attachments); n != MaxAttachments {
		t.Errorf("the item holds %d files, want the %d it was allowed", n, MaxAttachments)
	}
	if got.CheckIn != nil {
		t.Errorf("a refused check-in was stored: %+v", got.CheckIn)
	}
}

func TestInspectionItemAddsFiles(t *testing.T) {
	f := newBookingFixture(t)
	_, j := workshopFiles(t, f)
	j2 := mustJob(t, f.s, f.car.ID, "")
	if _, err := f.s.StartInspection(staff, j2.ID); err != nil {
		t.Fatal(err)
	}
	for _, atts := range [][]Attachment{{photo("disc")}, nil, {video("noise")}} {
		if _, err := f.s.SetInspectionItem(staff, j2.ID, 1, InspectionItem{Status: ItemAmber, Note: "worn", Attachments: atts}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := f.s.Job(j2.ID)
	if it := got.Inspection[1]; len(it.Attachments) != 2 || it.Attachments[0].Media != fakeHash("disc") || it.Attachments[1].Media != fakeHash("noise") {
		t.Errorf("item files %+v, want the photo then the video", it.Attachments)
	}
	if _, err := f.s.MediaFile(f.mario.ID, fakeHash("disc-thumb")); err != nil {
		t.Errorf("the thumbnail of an added photo: %v", err)
	}
	// A change that adds nothing keeps the other job's files where they were.
	if _, err := f.s.AssignTechnician(staff, j.ID, "Luca"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.MediaFile(f.mario.ID, fakeHash("pads")); err != nil {
		t.Errorf("after another change: %v", err)
	}
}

func TestMergeMovesWorkshopFiles(t *testing.T) {
	f := newBookingFixture(t)
	workshopFiles(t, f)
	before := bucketLen(t, f.s, bWorkshopMedia)
	if _, err := f.s.MergeCustomers(staff, f.ana.ID, f.mario.ID); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"leak", "scratch", "pads", "invoice"} {
		if _, err := f.s.MediaFile(f.ana.ID, fakeHash(h)); err != nil {
			t.Errorf("%s after the merge: %v", h, err)
		}
		if _, err := f.s.MediaFile(f.mario.ID, fakeHash(h)); !Is(err, CodeNotFound) {
			t.Errorf("%s is still the merged-away customer's: %v", h, err)
		}
	}
	if after := bucketLen(t, f.s, bWorkshopMedia); after != before {
		t.Errorf("the index holds %d entries after the merge, %d before", after, before)
	}
	if n := bucketLen(t, f.s, bWorkshopMediaByRecord); n != before {
		t.Errorf("the record index holds %d entries, want %d", n, before)
	}
}

// A car sold before the merge leaves its jobs with the merged-away seller:
// the merge gives them, and their files, to the customer kept.
func TestMergeMovesFilesOfSoldCarsJobs(t *testing.T) {
	f := newBookingFixture(t)
	_, j := workshopFiles(t, f)
	buyer := mustCustomer(t, f.s, "Lucia Verdi", "", "")
	if _, err := f.s.TransferVehicle(staff, f.car.ID, buyer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.MediaFile(buyer.ID, fakeHash("scratch")); !Is(err, CodeNotFound) {
		t.Errorf("the buyer sees the seller's job photo: %v", err)
	}
	if _, err := f.s.MergeCustomers(staff, f.ana.ID, f.mario.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.Job(j.ID); got.CustomerID != f.ana.ID {
		t.Fatalf("the job belongs to %d", got.CustomerID)
	}
	if _, err := f.s.MediaFile(f.ana.ID, fakeHash("scratch")); err != nil {
		t.Errorf("the kept customer's job photo: %v", err)
	}
	if _, err := f.s.MediaFile(buyer.ID, fakeHash("scratch")); !Is(err, CodeNotFound) {
		t.Errorf("the buyer: %v", err)
	}
}

// A database made before workshop files (schema 6) gets their index when
// it is opened, and takes them from then on.
func TestMigrationAddsWorkshopMediaIndex(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, Options{})
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range workshopMediaBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(keySchema, itob(6))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openDir(t, dir, Options{})
	for _, name := range workshopMediaBuckets {
		if !hasBucket(t, s, name) {
			t.Errorf("no %s bucket after migrating", name)
		}
	}
	c := mustCustomer(t, s, "Mario Rossi", "", "")
	j := mustJob(t, s, mustVehicle(t, s, c.ID, "AB123CD").ID, "")
	if _, err := s.CheckInJob(staff, j.ID, CheckIn{Km: 10, Attachments: []Attachment{photo("dent")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MediaFile(c.ID, fakeHash("dent")); err != nil {
		t.Errorf("the check-in photo after migrating: %v", err)
	}
}
