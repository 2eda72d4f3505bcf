package control

import (
	"context"
	"encoding/json"
	"fmt"

	"pitlane/demo"
	"pitlane/search"
	"pitlane/store"
)

// The operations the socket serves, each a POST to /v1/<name> with its
// request as a JSON body. Adding one (customer pairing, say) takes a method
// on Admin, its Local and Client sides, and one line in operations.
const (
	opPing         = "ping"
	opUserAdd      = "user.add"
	opUserList     = "user.list"
	opUserPasswd   = "user.passwd"
	opUserDisable  = "user.disable"
	opUserEnable   = "user.enable"
	opDemoSeed     = "demo.seed"
	opSnapshot     = "snapshot"
	opBackup       = "backup"
	opVAPID        = "vapid.public"
	opPairCreate   = "pair.create"
	opReindex      = "search.reindex"
	opSearchStatus = "search.status"
)

type (
	empty           struct{}
	usernameRequest struct {
		Username string `json:"username"`
	}
	passwordRequest struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	snapshotRequest struct {
		Path string `json:"path"`
	}
	snapshotResponse struct {
		Bytes int64 `json:"bytes"`
	}
)

// operation decodes a request and carries it out on an Admin.
type operation func(ctx context.Context, a Admin, body []byte) (any, error)

var operations = map[string]operation{
	opPing: handle(func(context.Context, Admin, empty) (empty, error) { return empty{}, nil }),
	opUserAdd: handle(func(ctx context.Context, a Admin, r NewUser) (User, error) {
		return a.AddUser(ctx, r)
	}),
	opUserList: handle(func(ctx context.Context, a Admin, _ empty) ([]User, error) {
		return a.Users(ctx)
	}),
	opUserPasswd: handle(func(ctx context.Context, a Admin, r passwordRequest) (empty, error) {
		return empty{}, a.SetPassword(ctx, r.Username, r.Password)
	}),
	opUserDisable: handle(func(ctx context.Context, a Admin, r usernameRequest) (User, error) {
		return a.SetDisabled(ctx, r.Username, true)
	}),
	opUserEnable: handle(func(ctx context.Context, a Admin, r usernameRequest) (User, error) {
		return a.SetDisabled(ctx, r.Username, false)
	}),
	opDemoSeed: handle(func(ctx context.Context, a Admin, _ empty) (demo.Result, error) {
		return a.SeedDemo(ctx)
	}),
	opSnapshot: handle(func(ctx context.Context, a Admin, r snapshotRequest) (snapshotResponse, error) {
		n, err := a.Snapshot(ctx, r.Path)
		return snapshotResponse{Bytes: n}, err
	}),
	opBackup: handle(func(ctx context.Context, a Admin, r BackupRequest) (store.BackupRecord, error) {
		return a.Backup(ctx, r)
	}),
	opVAPID: handle(func(ctx context.Context, a Admin, _ empty) (vapidResponse, error) {
		k, err := a.VAPIDPublicKey(ctx)
		return vapidResponse{PublicKey: k}, err
	}),
	opPairCreate: handle(func(ctx context.Context, a Admin, r PairRequest) (PairLink, error) {
		return a.CreatePairLink(ctx, r)
	}),
	opReindex: handle(func(ctx context.Context, a Admin, _ empty) (search.Progress, error) {
		return a.Reindex(ctx, nil)
	}),
	opSearchStatus: handle(func(ctx context.Context, a Admin, _ empty) (search.Status, error) {
		return a.SearchStatus(ctx)
	}),
}

// handle adapts a typed operation to the registry.
func handle[Req, Resp any](fn func(context.Context, Admin, Req) (Resp, error)) operation {
	return func(ctx context.Context, a Admin, body []byte) (any, error) {
		var req Req
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, fmt.Errorf("malformed request: %w", err)
		}
		return fn(ctx, a, req)
	}
}
