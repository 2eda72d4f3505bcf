package ui

import (
	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/store"
	"pitlane/web"
)

func (u *UI) passwordPage(c *fiber.Ctx) error {
	v, err := u.view(c, "password.change")
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "password", v)
}

// changePassword needs the current password, then starts a fresh session:
// every other session of the account ends.
func (u *UI) changePassword(c *fiber.Ctx) error {
	v, err := u.view(c, "password.change")
	if err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	user, err := u.Store.User(me.UserID)
	if err != nil {
		return err
	}
	ok, err := auth.VerifyPassword(user.PasswordHash, c.FormValue("current"))
	if err != nil {
		return err
	}
	if !ok {
		v.fail(store.Invalid("current", "password.error.wrong_current"))
		return u.render(c, fiber.StatusUnprocessableEntity, "password", v)
	}
	password := c.FormValue("password")
	if err := checkNewPassword(password, c.FormValue("confirm")); err != nil {
		v.fail(err)
		return u.render(c, fiber.StatusUnprocessableEntity, "password", v)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := u.Store.SetPassword(web.Actor(c), user.ID, hash); err != nil {
		return err
	}
	if err := u.startSession(c, user); err != nil {
		return err
	}
	return redirect(c, "/?done=password.changed")
}

func (u *UI) profilePage(c *fiber.Ctx) error {
	v, err := u.view(c, "nav.profile")
	if err != nil {
		return err
	}
	v.Form["name"], v.Form["lang"] = v.Me.Name, v.Me.Lang
	return u.render(c, fiber.StatusOK, "profile", v)
}

// saveProfile lets every staff member set their own name and language.
func (u *UI) saveProfile(c *fiber.Ctx) error {
	me := web.PrincipalOf(c)
	_, err := u.Store.UpdateUser(web.Actor(c), me.UserID, store.UserChange{Name: c.FormValue("name"),
		Role: me.Role, Lang: c.FormValue("lang")})
	if err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		v, verr := u.view(c, "nav.profile")
		if verr != nil {
			return verr
		}
		v.keep(c, "name", "lang")
		v.fail(err)
		return u.render(c, web.Status(err), "profile", v)
	}
	return redirect(c, "/profile?done=common.saved")
}
