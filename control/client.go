package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"

	"pitlane/demo"
	"pitlane/store"
)

// Client carries out the operations through the running service's control
// socket.
type Client struct {
	socket string
	http   *http.Client
}

var _ Admin = (*Client)(nil)

// NewClient returns a client for the service of dataDir. It does not
// connect until the first call.
func NewClient(dataDir string) *Client {
	path := SocketPath(dataDir)
	dialer := &net.Dialer{Timeout: dialTimeout}
	return &Client{socket: path, http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", path)
		},
		MaxIdleConnsPerHost: 1,
	}}}
}

// Close releases the client's idle connection.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// maxReply bounds what the client reads from the socket.
const maxReply = 16 << 20

// envelope is the body of every reply: the result, or the error.
type envelope struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *wireError      `json:"error,omitempty"`
}

// call runs operation op with req and decodes its result.
func call[Resp any](ctx context.Context, c *Client, op string, req any) (Resp, error) {
	var out Resp
	body, err := json.Marshal(req)
	if err != nil {
		return out, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://pitlane/v1/"+op, bytes.NewReader(body))
	if err != nil {
		return out, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(hreq)
	if err != nil {
		return out, fmt.Errorf("control socket %s: %w", c.socket, err)
	}
	defer res.Body.Close()
	var env envelope
	if err := json.NewDecoder(io.LimitReader(res.Body, maxReply)).Decode(&env); err != nil {
		return out, fmt.Errorf("control socket %s: unreadable reply to %s (%s): %w", c.socket, op, res.Status, err)
	}
	if env.Error != nil {
		return out, env.Error.err()
	}
	if err := json.Unmarshal(env.Result, &out); err != nil {
		return out, fmt.Errorf("control socket %s: unreadable result of %s: %w", c.socket, op, err)
	}
	return out, nil
}

func (c *Client) ping(ctx context.Context) error {
	_, err := call[empty](ctx, c, opPing, empty{})
	return err
}

// AddUser creates a staff account.
func (c *Client) AddUser(ctx context.Context, nu NewUser) (User, error) {
	return call[User](ctx, c, opUserAdd, nu)
}

// Users lists the staff accounts.
func (c *Client) Users(ctx context.Context) ([]User, error) {
	return call[[]User](ctx, c, opUserList, empty{})
}

// SetPassword replaces an account's password.
func (c *Client) SetPassword(ctx context.Context, username, password string) error {
	_, err := call[empty](ctx, c, opUserPasswd, passwordRequest{Username: username, Password: password})
	return err
}

// SetDisabled disables or enables an account.
func (c *Client) SetDisabled(ctx context.Context, username string, disabled bool) (User, error) {
	op := opUserEnable
	if disabled {
		op = opUserDisable
	}
	return call[User](ctx, c, op, usernameRequest{Username: username})
}

// SeedDemo loads the demo garage.
func (c *Client) SeedDemo(ctx context.Context) (demo.Result, error) {
	return call[demo.Result](ctx, c, opDemoSeed, empty{})
}

// Backup has the service take a backup.
func (c *Client) Backup(ctx context.Context, req BackupRequest) (store.BackupRecord, error) {
	return call[store.BackupRecord](ctx, c, opBackup, req)
}

// Snapshot has the service copy its database to path.
func (c *Client) Snapshot(ctx context.Context, path string) (int64, error) {
	res, err := call[snapshotResponse](ctx, c, opSnapshot, snapshotRequest{Path: path})
	return res.Bytes, err
}
