package backup

import (
	"errors"
	"fmt"

	"pitlane/i18n"
	"pitlane/store"
)

// Error is a backup that cannot be written or used, with the catalogue key
// that explains why to the person who has to act on it.
type Error struct {
	Key  string // catalogue key of the message
	Args []any  // placeholder name, value pairs for Key
	Err  error  // the cause, for logs and errors.Is; may be nil
}

func (e *Error) Error() string {
	msg := i18n.T(i18n.English, e.Key, e.Args...)
	if e.Err != nil && !errors.Is(e.Err, store.ErrSchemaTooNew) {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

func refuse(key string, err error, args ...any) *Error {
	return &Error{Key: key, Args: args, Err: err}
}

// The ways a backup file is refused. Tests and callers match them with
// errors.As and the Key.
const (
	keyNotBackup   = "backup.error.not_backup"
	keyTruncated   = "backup.error.truncated"
	keyDamaged     = "backup.error.damaged"
	keyChecksum    = "backup.error.checksum"
	keyEncrypted   = "backup.error.encrypted"
	keyWrongKey    = "backup.error.wrong_key"
	keySchemaNewer = "backup.error.schema_newer"
	keyFormatNewer = "backup.error.format_newer"
	keyIntegrity   = "backup.error.integrity"
	keyCounts      = "backup.error.counts"
	keyMediaLost   = "backup.error.media_lost"
	keyRunning     = "backup.error.running"
	keyBusy        = "backup.error.busy"
	keyNoFolder    = "backup.error.no_folder"
	keyWrite       = "backup.error.write"
)

// KeyOf returns the catalogue key of a backup error, "" for any other.
func KeyOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// ErrRunning means the service holds the data folder a restore would replace.
var ErrRunning = refuse(keyRunning, nil)

// ErrBusy means another backup is being written right now.
var ErrBusy = store.Conflict(keyBusy)

// argStrings turns name, value pairs into strings for a stored record.
func argStrings(args []any) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = fmt.Sprint(a)
	}
	return out
}
