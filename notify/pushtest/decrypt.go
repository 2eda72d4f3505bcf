package pushtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// The receiving side of RFC 8291 (Message Encryption for Web Push) over
// RFC 8188's aes128gcm content coding is written out here from the RFCs
// with the standard library: web push libraries, webpush-go included, only
// encrypt (decrypting is the browser's job), and a check built on the
// sender's own code would prove nothing about it.

// keys are the values RFC 8291 section 3.4 derives for one message.
type keys struct {
	ikm, cek, nonce []byte
}

// deriveKeys runs RFC 8291's key derivation on the receiver's side:
// ecdhSecret from the user agent's private key and the sender's ephemeral
// public key, then HKDF with the authentication secret, then HKDF with the
// message's salt (RFC 8188 section 2.2 and 2.3).
func deriveKeys(ecdhSecret, authSecret, uaPublic, asPublic, salt []byte) (keys, error) {
	prkKey, err := hkdf.Extract(sha256.New, ecdhSecret, authSecret)
	if err != nil {
		return keys{}, err
	}
	keyInfo := append(append([]byte("WebPush: info\x00"), uaPublic...), asPublic...)
	ikm, err := hkdf.Expand(sha256.New, prkKey, string(keyInfo), 32)
	if err != nil {
		return keys{}, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return keys{}, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return keys{}, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return keys{}, err
	}
	return keys{ikm: ikm, cek: cek, nonce: nonce}, nil
}

// headerLen is the aes128gcm header with a P-256 key as its key ID:
// salt (16) + record size (4) + key ID length (1) + uncompressed point (65).
const headerLen = 16 + 4 + 1 + 65

// Decrypt opens an aes128gcm web push message body for the user agent that
// holds uaPrivate and the subscription's 16-byte authentication secret, and
// returns the plaintext without its padding. Any tampering, a wrong key or
// wrong secret, or malformed padding is an error.
func Decrypt(body []byte, uaPrivate *ecdh.PrivateKey, authSecret []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("body shorter than the aes128gcm header")
	}
	salt := body[:16]
	rs := int(binary.BigEndian.Uint32(body[16:20]))
	idlen := int(body[20])
	// RFC 8291 section 4: the key ID is the sender's uncompressed P-256 key.
	if idlen != 65 || len(body) < 21+idlen {
		return nil, fmt.Errorf("key ID of %d bytes, want the sender's 65-byte public key", idlen)
	}
	if rs < 18 {
		return nil, fmt.Errorf("record size %d below the minimum 18", rs)
	}
	asPublicBytes := body[21 : 21+idlen]
	asPublic, err := ecdh.P256().NewPublicKey(asPublicBytes)
	if err != nil {
		return nil, fmt.Errorf("sender's public key: %w", err)
	}
	secret, err := uaPrivate.ECDH(asPublic)
	if err != nil {
		return nil, fmt.Errorf("ECDH: %w", err)
	}
	k, err := deriveKeys(secret, authSecret, uaPrivate.PublicKey().Bytes(), asPublicBytes, salt)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k.cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	ciphertext := body[21+idlen:]
	if len(ciphertext) == 0 {
		return nil, errors.New("no records")
	}
	var out []byte
	for seq := uint64(0); len(ciphertext) > 0; seq++ {
		n := min(rs, len(ciphertext))
		record := ciphertext[:n]
		ciphertext = ciphertext[n:]
		last := len(ciphertext) == 0
		if len(record) <= gcm.Overhead() {
			return nil, fmt.Errorf("record %d too short", seq)
		}
		// Each record's nonce is the derived nonce XOR its sequence number.
		nonce := append([]byte(nil), k.nonce...)
		tail := binary.BigEndian.Uint64(nonce[4:]) ^ seq
		binary.BigEndian.PutUint64(nonce[4:], tail)
		plain, err := gcm.Open(nil, nonce, record, nil)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", seq, err)
		}
		data, err := unpad(plain, last)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", seq, err)
		}
		out = append(out, data...)
	}
	return out, nil
}

// unpad strips RFC 8188's padding: the data, one delimiter octet (2 in the
// last record, 1 before it), then zeros.
func unpad(plain []byte, last bool) ([]byte, error) {
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return nil, errors.New("no padding delimiter")
	}
	want := byte(1)
	if last {
		want = 2
	}
	if plain[i] != want {
		return nil, fmt.Errorf("padding delimiter %d, want %d", plain[i], want)
	}
	return plain[:i], nil
}
