package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/store"
	"pitlane/web"
)

func (u *UI) loginPage(c *fiber.Ctx) error {
	if web.PrincipalOf(c) != nil {
		return redirect(c, "/")
	}
	v, err := u.view(c, "login.title")
	if err != nil {
		return err
	}
	v.Form["next"] = localPath(c.Query("next"))
	v.Data = u.HasLocalCA
	return u.render(c, fiber.StatusOK, "login", v)
}

func (u *UI) login(c *fiber.Ctx) error {
	v, err := u.view(c, "login.title")
	if err != nil {
		return err
	}
	v.keep(c, "username")
	v.Form["next"] = localPath(c.FormValue("next"))
	v.Data = u.HasLocalCA
	username := store.NormalizeUsername(c.FormValue("username"))
	password := c.FormValue("password")
	ipKey, acKey := "ip:"+c.IP(), "user:"+username
	for _, l := range []struct {
		lim *auth.Limiter
		key string
	}{{u.ipLimit, ipKey}, {u.acLimit, acKey}} {
		if blocked, wait := l.lim.Blocked(l.key); blocked {
			v.fail(&store.Error{Code: store.CodeRateLimited, Key: "login.error.rate_limited",
				Args: []any{"minutes", fmt.Sprint(int(math.Ceil(wait.Minutes())))}})
			c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			return u.render(c, fiber.StatusTooManyRequests, "login", v)
		}
	}
	user, err := u.Store.UserByUsername(username)
	ok := false
	switch {
	case store.Is(err, store.CodeNotFound):
		auth.VerifyUnknown(password)
	case err != nil:
		return err
	default:
		ok, err = auth.VerifyPassword(user.PasswordHash, password)
		if err != nil {
			return fmt.Errorf("verify password of %s: %w", user.Username, err)
		}
	}
	if !ok || user.Disabled {
		u.ipLimit.Fail(ipKey)
		u.acLimit.Fail(acKey)
		actor := store.Actor{Kind: "anonymous", Name: truncate(username, 64), IP: c.IP()}
		if err := u.Store.Audit(actor, "login_failed", "user", user.ID, ""); err != nil {
			return err
		}
		key := "login.error.invalid"
		if ok && user.Disabled {
			key = "login.error.disabled"
		}
		v.fail(&store.Error{Code: store.CodeUnauthorized, Key: key})
		return u.render(c, fiber.StatusUnauthorized, "login", v)
	}
	u.ipLimit.Reset(ipKey)
	u.acLimit.Reset(acKey)
	if err := u.startSession(c, user); err != nil {
		return err
	}
	if err := u.Store.Audit(store.Actor{Kind: "user", UserID: user.ID, Name: user.Name, IP: c.IP()}, "login", "user", user.ID, ""); err != nil {
		return err
	}
	return redirect(c, v.Form["next"])
}

func (u *UI) startSession(c *fiber.Ctx, user store.User) error {
	token := auth.NewToken()
	exp := time.Now().Add(sessionTTL)
	sess := store.Session{UserID: user.ID, CSRF: auth.NewToken(), Created: time.Now().UTC(), Expires: exp, IP: c.IP()}
	if err := u.Store.CreateSession(auth.HashToken(token), sess); err != nil {
		return err
	}
	u.setCookie(c, sessionCookie, token, exp)
	return nil
}

func (u *UI) logout(c *fiber.Ctx) error {
	p := web.PrincipalOf(c)
	if err := u.Store.DeleteSession(p.SessionHash); err != nil {
		return err
	}
	if err := u.Store.Audit(web.Actor(c), "logout", "user", p.UserID, ""); err != nil {
		return err
	}
	u.clearCookie(c, sessionCookie)
	return redirect(c, "/login?done=login.logged_out")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// setupPage shows the first-run form that creates the first manager.
func (u *UI) setupPage(c *fiber.Ctx) error {
	v, err := u.view(c, "setup.title")
	if err != nil {
		return err
	}
	if !u.Store.SetupTokenValid(auth.HashToken(c.Params("token"))) {
		v.fail(&store.Error{Code: store.CodeNotFound, Key: "setup.link_expired"})
		return u.render(c, fiber.StatusNotFound, "setup", v)
	}
	v.Data = true
	return u.render(c, fiber.StatusOK, "setup", v)
}

func (u *UI) setup(c *fiber.Ctx) error {
	v, err := u.view(c, "setup.title")
	if err != nil {
		return err
	}
	v.keep(c, "username", "name")
	v.Data = true
	password := c.FormValue("password")
	if err := checkNewPassword(password, c.FormValue("confirm")); err != nil {
		v.fail(err)
		return u.render(c, fiber.StatusUnprocessableEntity, "setup", v)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	user, err := u.Store.CompleteSetup(auth.HashToken(c.Params("token")), store.NewUser{
		Username: c.FormValue("username"), Name: c.FormValue("name"), Lang: string(v.Lang), PasswordHash: hash})
	if err != nil {
		v.fail(err)
		if store.Is(err, store.CodeNotFound) {
			v.Data = false
		}
		return u.render(c, web.Status(err), "setup", v)
	}
	u.Logger.Info("first manager created", "username", user.Username)
	if err := u.startSession(c, user); err != nil {
		return err
	}
	return redirect(c, "/?done=setup.done")
}

// checkNewPassword validates a new password and its confirmation.
func checkNewPassword(password, confirm string) error {
	if err := auth.CheckPassword("password", password); err != nil {
		return err
	}
	if password != confirm {
		return store.Invalid("confirm", "password.error.mismatch")
	}
	return nil
}
