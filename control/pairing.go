package control

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"pitlane/pwa"
	"pitlane/store"
)

// PairRequest asks for a link that pairs a phone to a customer, named by
// number (12 or #12), e-mail or phone.
type PairRequest struct {
	Customer string        `json:"customer"`
	TTL      time.Duration `json:"ttl,omitempty"` // 0: store.DefaultPairTTL
}

// PairLink is a fresh pairing link. Path starts with "/": the command line
// puts the appliance's address in front of it.
type PairLink struct {
	CustomerID   uint64    `json:"customer_id"`
	CustomerName string    `json:"customer_name"`
	Path         string    `json:"path"`
	Expires      time.Time `json:"expires"`
}

// CreatePairLink makes a one-time pairing link for the customer, as the
// command line (store.CLI) for the audit log.
func (l Local) CreatePairLink(_ context.Context, r PairRequest) (PairLink, error) {
	c, err := findCustomer(l.Store, r.Customer)
	if err != nil {
		return PairLink{}, err
	}
	token, link, err := l.Store.CreatePairLink(store.CLI, c.ID, r.TTL)
	if err != nil {
		return PairLink{}, err
	}
	return PairLink{CustomerID: c.ID, CustomerName: c.Name, Path: pwa.PairPath(token), Expires: link.Expires}, nil
}

// CreatePairLink has the service make a pairing link.
func (c *Client) CreatePairLink(ctx context.Context, r PairRequest) (PairLink, error) {
	return call[PairLink](ctx, c, opPairCreate, r)
}

// findCustomer reads who a support call is about: "#12" is a customer
// number; anything with @ an e-mail; digits alone may be a number or a
// phone, and must not be both.
func findCustomer(s *store.Store, who string) (store.Customer, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return store.Customer{}, fmt.Errorf("say which customer: --customer takes a number (#12), an e-mail or a phone")
	}
	var c store.Customer
	var err error
	id, idErr := strconv.ParseUint(strings.TrimPrefix(who, "#"), 10, 64)
	switch {
	case strings.HasPrefix(who, "#") && idErr == nil:
		c, err = s.Customer(id)
	case strings.Contains(who, "@"):
		c, err = s.CustomerByEmail(who)
	default:
		c, err = s.CustomerByPhone(who)
		if idErr == nil {
			byID, ierr := s.Customer(id)
			switch {
			case ierr != nil && !store.Is(ierr, store.CodeNotFound):
				return store.Customer{}, ierr
			case ierr == nil && err == nil && byID.ID != c.ID:
				return store.Customer{}, fmt.Errorf("%q is customer #%d (%s) and the phone of #%d (%s): write #%d for the first, or the phone with its + prefix",
					who, byID.ID, byID.Name, c.ID, c.Name, byID.ID)
			case ierr == nil:
				c, err = byID, nil
			}
		}
	}
	if store.Is(err, store.CodeNotFound) {
		return store.Customer{}, fmt.Errorf("there is no customer with the number, e-mail or phone %q", who)
	}
	return c, err
}
