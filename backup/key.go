package backup

import (
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"

	"pitlane/store"
)

// Key seals or opens an encrypted backup (age, https://age-encryption.org).
// The zero Key writes a plain backup and opens only plain ones.
type Key struct {
	// Passphrase seals and opens (age's scrypt recipient). Given on the
	// command line only, never stored.
	Passphrase string
	// Recipient is an age public key (age1…) that seals. What it seals only
	// the matching identity opens, so unattended backups store no secret.
	Recipient string
	// Identity is the text of an age identity file (AGE-SECRET-KEY-1…
	// lines): it opens what its recipient sealed.
	Identity string
}

// IsZero reports whether k neither seals nor opens anything.
func (k Key) IsZero() bool { return k.Passphrase == "" && k.Recipient == "" && k.Identity == "" }

// scryptWorkFactor is age's default (about a second): a passphrase guesser
// pays that per guess. Tests lower it.
var scryptWorkFactor = 18

// seal returns what seals a new backup (nothing for a plain one) and the
// key that opens it to verify it.
//
// A backup sealed to a recipient cannot be opened here: its identity is
// somewhere safe, not on this machine. So the backup is also sealed to a
// one-off identity made for it, kept in memory only until the backup is
// verified and then forgotten; afterwards only the recipient's identity
// opens the file.
func (k Key) seal() (recipients []age.Recipient, opener Key, err error) {
	switch {
	case k.Passphrase != "" && k.Recipient != "":
		// age refuses to mix them: a passphrase must be the only way in.
		return nil, Key{}, errors.New("give either a passphrase or a recipient, not both")
	case k.Passphrase != "":
		r, err := age.NewScryptRecipient(k.Passphrase)
		if err != nil {
			return nil, Key{}, err
		}
		r.SetWorkFactor(scryptWorkFactor)
		return []age.Recipient{r}, Key{Passphrase: k.Passphrase}, nil
	case k.Recipient != "":
		r, err := parseRecipient(k.Recipient)
		if err != nil {
			return nil, Key{}, err
		}
		// age will not mix post-quantum and classic recipients in one file.
		var once age.Recipient
		var onceID fmt.Stringer
		if _, pq := r.(*age.HybridRecipient); pq {
			id, err := age.GenerateHybridIdentity()
			if err != nil {
				return nil, Key{}, err
			}
			once, onceID = id.Recipient(), id
		} else {
			id, err := age.GenerateX25519Identity()
			if err != nil {
				return nil, Key{}, err
			}
			once, onceID = id.Recipient(), id
		}
		return []age.Recipient{r, once}, Key{Identity: onceID.String()}, nil
	}
	return nil, Key{}, nil
}

// identities is what may open an encrypted backup.
func (k Key) identities() ([]age.Identity, error) {
	var ids []age.Identity
	if k.Passphrase != "" {
		id, err := age.NewScryptIdentity(k.Passphrase)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if strings.TrimSpace(k.Identity) != "" {
		parsed, err := age.ParseIdentities(strings.NewReader(k.Identity))
		if err != nil {
			return nil, refuse(keyWrongKey, err)
		}
		ids = append(ids, parsed...)
	}
	return ids, nil
}

func parseRecipient(s string) (age.Recipient, error) {
	rs, err := age.ParseRecipients(strings.NewReader(strings.TrimSpace(s)))
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 {
		return nil, errors.New("give one recipient")
	}
	return rs[0], nil
}

// CheckRecipient validates an age public key for the settings form.
func CheckRecipient(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if _, err := parseRecipient(s); err != nil {
		return store.Invalid("recipient", "backup.error.recipient")
	}
	return nil
}
