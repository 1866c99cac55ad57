package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// CanGrant checks that actor holds every permission in perms, so nobody
// hands out — by invitation, role change or custom role — more than they
// have. A held wildcard covers the specifics under it ("members:*" covers
// "members:invite", "*" covers everything); granting "resource:*" requires
// holding "resource:*" or "*"; granting "*" requires "*". Malformed entries
// are never held. It returns a Forbidden error with code
// "tenancy.escalation" naming what the actor lacks.
func CanGrant(actor kernel.Grants, perms []string) error {
	var missing []string
	for _, p := range perms {
		if !holds(actor, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return kernel.Forbidden("tenancy.escalation",
			fmt.Sprintf("You cannot grant permissions you do not hold: %s.", strings.Join(quoteAll(missing), ", ")))
	}
	return nil
}

func holds(actor kernel.Grants, p string) bool {
	if p == Wildcard {
		return slices.Contains(actor, Wildcard)
	}
	if resource, ok := strings.CutSuffix(p, ":*"); ok {
		return lowerUnderscore(resource) && (slices.Contains(actor, Wildcard) || slices.Contains(actor, p))
	}
	return validPermissionName(p) && actor.Allows(p)
}
