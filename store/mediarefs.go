package store

import (
	"slices"

	bolt "go.etcd.io/bbolt"
)

// MediaRefs returns the hashes of the media files the database references,
// sorted and without repeats: what a backup must carry besides the database.
func (s *Store) MediaRefs() ([]string, error) {
	var refs []string
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		refs, err = mediaRefs(tx)
		return err
	})
	return refs, err
}

// mediaRefs is the one place that knows which records point at media. A
// record kind that gains files (job photos, document scans) adds its walk
// here, and backups carry its files from then on.
func mediaRefs(tx *bolt.Tx) ([]string, error) {
	var refs []string
	if b := tx.Bucket(bSettings); b != nil {
		var st Settings
		err := getJSON(b, keyDealership, &st)
		if err != nil && !Is(err, CodeNotFound) {
			return nil, err
		}
		if st.Logo != "" {
			refs = append(refs, st.Logo)
		}
	}
	// Messages' photos, videos and thumbnails.
	refs = append(refs, messageMediaRefs(tx)...)
	// Appointments' and jobs' photos, videos, thumbnails and invoice PDFs.
	refs = append(refs, workshopMediaRefs(tx)...)
	slices.Sort(refs)
	return slices.Compact(refs), nil
}
