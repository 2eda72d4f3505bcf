package backup

import (
	"regexp"
	"time"
)

// An archive is a zstd-compressed tar stream, age-encrypted when a key is
// given, holding in this order:
//
//	pitlane.db            the database, copied inside one read transaction
//	media/ab/abcd…        each media file the database references
//	manifest.json         what the archive holds, with sizes and SHA-256
//
// The manifest comes last so the archive is written in one pass, straight
// from the read transaction to the target folder: tar wants each entry's
// size up front, which the database copy knows (tx.Size) but a checksum
// only exists once the bytes have gone by. A reader checks every entry
// against the manifest at the end, which it must reach anyway: an archive
// cut short has no manifest and is refused as incomplete.
//
// The whole stream is compressed rather than the database entry alone,
// since tar would need the compressed size before writing it; zstd passes
// photos and videos through at close to copying speed, and a bbolt file
// shrinks several times over.
const (
	dbEntry       = "pitlane.db"
	manifestEntry = "manifest.json"
	mediaDir      = "media"
)

// FormatVersion is the archive layout this build writes and reads.
const FormatVersion = 1

// Manifest describes one backup.
type Manifest struct {
	Format     int       `json:"format"`
	App        string    `json:"app"`
	AppVersion string    `json:"app_version"`
	Schema     int       `json:"schema"`
	Created    time.Time `json:"created"`
	// Counts is the number of keys in each bucket of the database copy.
	Counts  map[string]int64 `json:"counts"`
	Entries []Entry          `json:"entries"`
	// MissingMedia lists referenced files that were not in the data folder
	// when the backup was taken, so their absence is known, not discovered.
	MissingMedia []string `json:"missing_media,omitempty"`
}

// Entry is one file in the archive.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Records is the number of keys in the database copy, all buckets together.
func (m Manifest) Records() int64 {
	var n int64
	for _, c := range m.Counts {
		n += c
	}
	return n
}

// MediaFiles is the number of media files in the archive.
func (m Manifest) MediaFiles() int {
	n := 0
	for _, e := range m.Entries {
		if mediaEntry.MatchString(e.Name) {
			n++
		}
	}
	return n
}

// mediaEntry is the only shape a media entry may have: the archive never
// names a path outside the media folder.
var mediaEntry = regexp.MustCompile(`^media/([0-9a-f]{2})/([0-9a-f]{64})$`)

func mediaEntryName(hash string) string { return mediaDir + "/" + hash[:2] + "/" + hash }

// validEntryName reports whether name may appear in an archive (the
// manifest aside).
func validEntryName(name string) bool {
	if name == dbEntry {
		return true
	}
	m := mediaEntry.FindStringSubmatch(name)
	return m != nil && m[2][:2] == m[1]
}
