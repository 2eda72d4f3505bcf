package control

import "context"

type vapidResponse struct {
	PublicKey string `json:"public_key"`
}

// VAPIDPublicKey returns the web push public key, making the key pair if
// the database has none yet.
func (l Local) VAPIDPublicKey(context.Context) (string, error) {
	k, err := l.Store.VAPIDKeys()
	return k.Public, err
}

// VAPIDPublicKey asks the service for the web push public key.
func (c *Client) VAPIDPublicKey(ctx context.Context) (string, error) {
	res, err := call[vapidResponse](ctx, c, opVAPID, empty{})
	return res.PublicKey, err
}
