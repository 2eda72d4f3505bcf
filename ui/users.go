package ui

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/store"
	"pitlane/web"
)

type userData struct {
	User  store.User
	Users []store.User
	Roles []store.Role
}

func (u *UI) usersPage(c *fiber.Ctx) error {
	v, err := u.view(c, "users.title")
	if err != nil {
		return err
	}
	users, err := u.Store.Users()
	if err != nil {
		return err
	}
	v.Data = userData{Users: users}
	return u.render(c, fiber.StatusOK, "users", v)
}

func (u *UI) newUserPage(c *fiber.Ctx) error {
	v, err := u.view(c, "users.add")
	if err != nil {
		return err
	}
	v.Form["role"] = string(store.RoleWorkshop)
	v.Data = userData{Roles: store.Roles}
	return u.render(c, fiber.StatusOK, "user_new", v)
}

func (u *UI) createUser(c *fiber.Ctx) error {
	v, err := u.view(c, "users.add")
	if err != nil {
		return err
	}
	v.keep(c, "username", "name", "role", "lang")
	v.Data = userData{Roles: store.Roles}
	password := c.FormValue("password")
	if err := checkNewPassword(password, c.FormValue("confirm")); err != nil {
		v.fail(err)
		return u.render(c, fiber.StatusUnprocessableEntity, "user_new", v)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	user, err := u.Store.CreateUser(web.Actor(c), store.NewUser{Username: c.FormValue("username"),
		Name: c.FormValue("name"), Role: store.Role(c.FormValue("role")), Lang: c.FormValue("lang"), PasswordHash: hash})
	if err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		v.fail(err)
		return u.render(c, web.Status(err), "user_new", v)
	}
	return redirect(c, fmt.Sprintf("/users/%d?done=common.saved", user.ID))
}

func paramID(c *fiber.Ctx) (uint64, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil || id == 0 {
		return 0, store.NotFound()
	}
	return id, nil
}

func (u *UI) userView(c *fiber.Ctx) (*View, store.User, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, store.User{}, err
	}
	user, err := u.Store.User(id)
	if err != nil {
		return nil, user, err
	}
	v, err := u.view(c, "users.edit")
	if err != nil {
		return nil, user, err
	}
	v.Form["name"], v.Form["role"], v.Form["lang"] = user.Name, string(user.Role), user.Lang
	v.Data = userData{User: user, Roles: store.Roles}
	return v, user, nil
}

func (u *UI) userPage(c *fiber.Ctx) error {
	v, _, err := u.userView(c)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "user", v)
}

func (u *UI) updateUser(c *fiber.Ctx) error {
	v, user, err := u.userView(c)
	if err != nil {
		return err
	}
	v.keep(c, "name", "role", "lang")
	_, err = u.Store.UpdateUser(web.Actor(c), user.ID, store.UserChange{Name: c.FormValue("name"),
		Role: store.Role(c.FormValue("role")), Lang: c.FormValue("lang")})
	if err != nil {
		return u.userFailed(c, v, err)
	}
	return redirect(c, fmt.Sprintf("/users/%d?done=common.saved", user.ID))
}

func (u *UI) userFailed(c *fiber.Ctx, v *View, err error) error {
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v.fail(err)
	return u.render(c, web.Status(err), "user", v)
}

// resetPassword lets a manager set a new password for someone who forgot theirs.
func (u *UI) resetPassword(c *fiber.Ctx) error {
	v, user, err := u.userView(c)
	if err != nil {
		return err
	}
	password := c.FormValue("password")
	if err := checkNewPassword(password, c.FormValue("confirm")); err != nil {
		return u.userFailed(c, v, err)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := u.Store.SetPassword(web.Actor(c), user.ID, hash); err != nil {
		return u.userFailed(c, v, err)
	}
	return redirect(c, fmt.Sprintf("/users/%d?done=password.changed", user.ID))
}

func (u *UI) disableUser(c *fiber.Ctx) error { return u.setDisabled(c, true) }
func (u *UI) enableUser(c *fiber.Ctx) error  { return u.setDisabled(c, false) }

func (u *UI) setDisabled(c *fiber.Ctx, disabled bool) error {
	v, user, err := u.userView(c)
	if err != nil {
		return err
	}
	if _, err := u.Store.SetDisabled(web.Actor(c), user.ID, disabled); err != nil {
		return u.userFailed(c, v, err)
	}
	return redirect(c, fmt.Sprintf("/users/%d?done=common.saved", user.ID))
}
