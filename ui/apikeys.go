package ui

import (
	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/store"
	"pitlane/web"
)

type apiKeysData struct {
	Keys   []store.APIKey
	Roles  []store.Role
	NewKey string // shown once, right after creation
}

// APIKeyPrefix starts every key, so a leaked key is recognisable in logs
// and secret scanners.
const APIKeyPrefix = "pl_"

func (u *UI) apiKeysView(c *fiber.Ctx) (*View, error) {
	v, err := u.view(c, "apikeys.title")
	if err != nil {
		return nil, err
	}
	keys, err := u.Store.APIKeys()
	if err != nil {
		return nil, err
	}
	v.Data = apiKeysData{Keys: keys, Roles: store.Roles}
	return v, nil
}

func (u *UI) apiKeysPage(c *fiber.Ctx) error {
	v, err := u.apiKeysView(c)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "apikeys", v)
}

func (u *UI) createAPIKey(c *fiber.Ctx) error {
	secret := APIKeyPrefix + auth.NewToken()
	_, err := u.Store.CreateAPIKey(web.Actor(c), c.FormValue("name"), store.Role(c.FormValue("role")),
		secret[:len(APIKeyPrefix)+6], auth.HashToken(secret))
	v, verr := u.apiKeysView(c)
	if verr != nil {
		return verr
	}
	if err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		v.keep(c, "name", "role")
		v.fail(err)
		return u.render(c, web.Status(err), "apikeys", v)
	}
	d := v.Data.(apiKeysData)
	d.NewKey = secret
	v.Data = d
	return u.render(c, fiber.StatusCreated, "apikeys", v)
}

func (u *UI) revokeAPIKey(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := u.Store.RevokeAPIKey(web.Actor(c), id); err != nil {
		return err
	}
	return redirect(c, "/apikeys?done=apikeys.revoked")
}
