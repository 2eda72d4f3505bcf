package ui

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/web"
)

// Live updates of the messages pages, as Server-Sent Events: each time a
// customer writes (or a thread is read or assigned) the stream sends the
// new state, and the page's script fetches the page again and puts the
// new list in place. Only the messages pages open a stream: a browser
// keeps at most six connections to a site over HTTP/1.1, and a stream on
// every page of every tab would use them up. Without JavaScript the pages
// show what is new when reloaded.

// eventsPing is how often an idle stream sends a comment, so proxies keep
// it open and a browser that went away is noticed.
const eventsPing = 25 * time.Second

// eventsStall bounds one write to the stream: the server's write timeout
// would end every stream after two minutes.
const eventsStall = time.Minute

// messageEvents streams the messages state (version and unread count). A
// request that does not accept text/event-stream gets the state once, as
// JSON.
func (u *UI) messageEvents(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if !strings.Contains(c.Get(fiber.HeaderAccept), "text/event-stream") {
		state, err := u.Store.MessagesState()
		if err != nil {
			return err
		}
		return c.JSON(state)
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set("X-Accel-Buffering", "no") // a reverse proxy must not hold events back
	conn, shutdown := c.Context().Conn(), c.Context().Done()
	st, log := u.Store, u.Logger
	session := web.PrincipalOf(c).SessionHash
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ping := time.NewTicker(eventsPing)
		defer ping.Stop()
		send := func(format string, args ...any) bool {
			if conn != nil {
				_ = conn.SetWriteDeadline(time.Now().Add(eventsStall))
			}
			fmt.Fprintf(w, format, args...)
			return w.Flush() == nil
		}
		if !send("retry: 3000\n\n") {
			return
		}
		var sent uint64
		for first := true; ; first = false {
			// Take the wake-up before reading, so a commit in between is
			// not missed.
			changed := st.Changed()
			state, err := st.MessagesState()
			if err != nil {
				log.Error("reading the messages state for a live page", "err", err)
				return
			}
			if first || state.Version != sent {
				data, _ := json.Marshal(state)
				if !send("id: %d\nevent: messages\ndata: %s\n\n", state.Version, data) {
					return
				}
				sent = state.Version
			}
			select {
			case <-changed:
			case <-ping.C:
				// A signed-out (or disabled) member's stream ends.
				if _, _, err := st.SessionUser(session); err != nil || !send(": ping\n\n") {
					return
				}
			case <-shutdown:
				return
			}
		}
	})
	return nil
}
