package store

import (
	"bytes"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Who may fetch a file. A message's files are indexed by message
// (messages.go); the workshop's (an appointment request's photos, a job's
// check-in and inspection photos, an invoice PDF from the accounting
// system) by the appointment or job that carries them, under the customer
// it belongs to, in the same transaction that writes the record.

var (
	// bWorkshopMedia: media hash + customer ID + kind + record ID → nil.
	bWorkshopMedia = []byte("workshop_media")
	// bWorkshopMediaByRecord: customer ID + kind + record ID + media hash →
	// nil, to find a record's entries when it changes or changes hands.
	bWorkshopMediaByRecord = []byte("workshop_media_by_record")
	workshopMediaBuckets   = [][]byte{bWorkshopMedia, bWorkshopMediaByRecord}
)

// Kinds of record that carry workshop files, as index keys spell them.
const (
	mediaAppointment byte = 'a'
	mediaJob         byte = 'j'
)

func recordPrefix(customerID uint64, kind byte, id uint64) []byte {
	return append(append(itob(customerID), kind), itob(id)...)
}

// indexRecordMedia makes the index say that hashes, and only they, are
// the files of record kind/id, which belongs to customerID and belonged to
// was before this change (the same customer unless it changed hands).
func indexRecordMedia(tx *bolt.Tx, kind byte, id, was, customerID uint64, hashes []string) error {
	byHash, byRecord := tx.Bucket(bWorkshopMedia), tx.Bucket(bWorkshopMediaByRecord)
	old := recordPrefix(was, kind, id)
	var have []string
	c := byRecord.Cursor()
	for k, _ := c.Seek(old); k != nil && bytes.HasPrefix(k, old); k, _ = c.Next() {
		have = append(have, string(k[len(old):]))
	}
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	if was == customerID && slices.Equal(have, hashes) {
		return nil
	}
	for _, h := range have {
		if err := byRecord.Delete(append(slices.Clip(old), h...)); err != nil {
			return err
		}
		if err := byHash.Delete(append([]byte(h), old...)); err != nil {
			return err
		}
	}
	now := recordPrefix(customerID, kind, id)
	for _, h := range hashes {
		if err := byRecord.Put(append(slices.Clip(now), h...), nil); err != nil {
			return err
		}
		if err := byHash.Put(append([]byte(h), now...), nil); err != nil {
			return err
		}
	}
	return nil
}

func attachmentHashes(out []string, atts []Attachment) []string {
	for _, a := range atts {
		out = append(out, a.Media)
		if a.Thumb != "" {
			out = append(out, a.Thumb)
		}
	}
	return out
}

// Media lists every file of the job: check-in and inspection photos and
// videos with their thumbnails, and an uploaded invoice.
func (j Job) Media() []string {
	var out []string
	if j.CheckIn != nil {
		out = attachmentHashes(out, j.CheckIn.Attachments)
	}
	for _, it := range j.Inspection {
		out = attachmentHashes(out, it.Attachments)
	}
	if j.Invoice != nil && j.Invoice.Upload != "" {
		out = append(out, j.Invoice.Upload)
	}
	return out
}

// indexJobMedia indexes j's files under its customer; was is the customer
// it belonged to before this write.
func indexJobMedia(tx *bolt.Tx, j Job, was uint64) error {
	return indexRecordMedia(tx, mediaJob, j.ID, was, j.CustomerID, j.Media())
}

func indexAppointmentMedia(tx *bolt.Tx, ap Appointment, was uint64) error {
	return indexRecordMedia(tx, mediaAppointment, ap.ID, was, ap.CustomerID, attachmentHashes(nil, ap.Attachments))
}

// MediaFile describes a file as it may be served, and what holds it, so a
// staff route can check the role each holder asks for.
type MediaFile struct {
	Hash string
	Type string
	Name string
	// Message: a message's file; Workshop: an appointment's or a job's.
	Message, Workshop bool
}

// MediaFile finds a file on a message, appointment or job of customerID,
// or, with customerID 0 (staff), of anyone. A file on no such record is
// NotFound even if the media folder holds it: knowing a hash is not being
// allowed to see the file.
func (s *Store) MediaFile(customerID uint64, hash string) (MediaFile, error) {
	if !mediaHash.MatchString(hash) {
		return MediaFile{}, NotFound()
	}
	var f MediaFile
	err := s.view(func(tx *bolt.Tx) error {
		prefix := []byte(hash)
		if customerID != 0 {
			prefix = append(prefix, itob(customerID)...)
		}
		found, err := messageFile(tx, prefix, hash)
		if err != nil {
			return err
		}
		if found.Type != "" {
			f, f.Message = found, true
		}
		found, err = workshopFile(tx, prefix, hash)
		if err != nil {
			return err
		}
		if found.Type != "" {
			if f.Type == "" {
				f = found
			}
			f.Workshop = true
		}
		if f.Type == "" {
			return NotFound()
		}
		return nil
	})
	return f, err
}

// fileIn describes hash if it is one of atts' files.
func fileIn(atts []Attachment, hash string) (MediaFile, bool) {
	for _, a := range atts {
		switch hash {
		case a.Media:
			return MediaFile{Hash: hash, Type: a.Type, Name: a.Name}, true
		case a.Thumb:
			return MediaFile{Hash: hash, Type: "image/jpeg"}, true
		}
	}
	return MediaFile{}, false
}

// workshopFile looks for hash on the appointments and jobs the index
// names under prefix (the hash, and the customer when one asks), and
// checks the record: it must still carry the file and be the customer's.
func workshopFile(tx *bolt.Tx, prefix []byte, hash string) (MediaFile, error) {
	c := tx.Bucket(bWorkshopMedia).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		rest := k[len(hash):]
		customerID, kind, id := btoi(rest[:8]), rest[8], rest[9:]
		switch kind {
		case mediaAppointment:
			var ap Appointment
			if err := getJSON(tx.Bucket(bAppointments), id, &ap); err != nil {
				if Is(err, CodeNotFound) {
					continue
				}
				return MediaFile{}, err
			}
			if f, ok := fileIn(ap.Attachments, hash); ok && ap.CustomerID == customerID {
				return f, nil
			}
		case mediaJob:
			var j Job
			if err := getJSON(tx.Bucket(bJobs), id, &j); err != nil {
				if Is(err, CodeNotFound) {
					continue
				}
				return MediaFile{}, err
			}
			if j.CustomerID != customerID {
				continue
			}
			if f, ok := jobFile(j, hash); ok {
				return f, nil
			}
		}
	}
	return MediaFile{}, nil
}

func jobFile(j Job, hash string) (MediaFile, bool) {
	if j.CheckIn != nil {
		if f, ok := fileIn(j.CheckIn.Attachments, hash); ok {
			return f, true
		}
	}
	for _, it := range j.Inspection {
		if f, ok := fileIn(it.Attachments, hash); ok {
			return f, true
		}
	}
	if inv := j.Invoice; inv != nil && inv.Upload == hash {
		return MediaFile{Hash: hash, Type: "application/pdf", Name: "invoice-" + inv.Number + ".pdf"}, true
	}
	return MediaFile{}, false
}

// workshopMediaRefs lists every file an appointment or a job points at,
// for backups.
func workshopMediaRefs(tx *bolt.Tx) []string {
	return hashRuns(tx.Bucket(bWorkshopMedia))
}

// hashRuns lists the hashes that start the keys of an index keyed by
// media hash first, once each.
func hashRuns(b *bolt.Bucket) []string {
	if b == nil {
		return nil
	}
	var refs []string
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if hash := string(k[:64]); len(refs) == 0 || refs[len(refs)-1] != hash {
			refs = append(refs, hash)
		}
	}
	return refs
}
