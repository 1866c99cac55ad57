package notifications

import "github.com/groundworkhq/groundwork/kernel"

// NotificationCreated is published inside the transaction that created an
// in-app notification; a handler's error rolls the creation back.
type NotificationCreated struct {
	ID     NotificationID
	UserID kernel.UserID
	// OrganizationID is zero when the notification concerns no organization.
	OrganizationID kernel.OrganizationID
	Type           string
}

// EventName returns "notifications.notification.created".
func (NotificationCreated) EventName() string { return "notifications.notification.created" }
