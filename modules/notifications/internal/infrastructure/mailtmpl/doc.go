// Package mailtmpl renders the notifications module's transactional email:
// localized, branded templates turned into a one-line subject, an HTML
// document and a plain-text alternative.
//
// A Registry is built with New from a Brand and holds the built-in templates
// below; products add their own, or replace a built-in, with Register, and
// send with Render. Every template source is parsed at registration, so a
// broken template stops boot rather than an email.
//
// # Built-in templates and their data
//
// Keys marked optional may be left out; all others are required, and Render
// fails with ErrMissingData when one is absent, nil or empty. Numbers may be
// any Go number (a float64 from JSON included); a time may be a time.Time or
// an RFC 3339 string.
//
//	template                       data
//	verify_email                   Name (optional), URL, ExpiresInHours
//	welcome                        Name (optional), URL
//	password_reset                 Name (optional), URL, ExpiresInMinutes
//	password_changed               Name (optional), Time (shown in UTC), SupportURL (optional)
//	email_changed                  Name (optional), OldEmail, NewEmail
//	organization_invitation        InviterName, OrganizationName, Role, URL, ExpiresInDays
//	billing_payment_failed         Name (optional), OrganizationName, Plan, URL, GraceDays
//	billing_subscription_canceled  Name (optional), OrganizationName, Plan, URL
//	billing_trial_ending           Name (optional), OrganizationName, Plan, TrialEnd (shown in UTC), URL
//	usage_threshold                Name (optional), OrganizationName, Plan, Meter, Unit, Percent, Used, Limit,
//	                               ResetsAt (optional, shown in UTC), URL
//
// Name is the recipient's display name; without one the greeting reads
// "Hi," / "Hola:" / "Olá," (Spanish letters take a colon after the
// greeting). Role is shown as given, except that the built-in roles owner,
// admin and member are translated. The billing emails go to an
// organization's owners: Plan is the plan's key, shown as given; URL is
// where they manage the subscription (update the payment method, choose
// a plan); GraceDays is how long a past-due organization keeps its plan,
// and 0 says its features are paused until the payment goes through. The
// usage email tells them a meter reached Percent (80, or 100: used up) of
// its Limit: Meter is the meter's description, Unit its unit, ResetsAt
// when the quota starts again (absent for a meter that never resets), URL
// where they choose a plan.
// Every template also gets .Brand (ProductName, Color, ServerURL, Address)
// and .Locale.
//
// # Locales
//
// Every built-in is written in en, es and pt-BR. A requested locale is
// normalized ("PT_br" → "pt-BR", "pt_BR.UTF-8" → "pt-BR") and matched
// exactly, then without its trailing subtags ("es-MX" → "es"), then to any
// locale of the same language ("pt" or "pt-PT" → "pt-BR"), then to "en". An
// empty or invalid locale gets "en". Rendered.Locale says which was used.
//
// # Template funcs
//
// Subject, HTML and text sources may call:
//
//	url URL                  the URL made absolute against Brand.ServerURL; anything
//	                         but http(s) becomes "#ZgotmplZ"
//	datetime TIME            the instant in UTC, written the locale's way
//	plural N ONE OTHER       ONE or OTHER by the locale's plural rule for N
//	msg KEY ARGS…            a layout string of the locale ("buttonFallback", "sentBy")
//
// HTML sources may also call:
//
//	button URL LABEL         a brand-coloured button, followed by the localized
//	                         "if the button does not work" line and the plain link
//	link URL LABEL           an inline brand-coloured link (LABEL "" shows the URL)
//
// Both pass the URL through url first, then through html/template's own
// escaping and URL filter.
//
// # Output
//
// The HTML body is rendered inside one shared layout: table-based, inline
// styles, 560 px wide at most, the product name as a text header in the
// brand colour, and a footer with the product name, ServerURL and the
// optional postal address. It loads nothing remote (no images, fonts,
// style sheets or tracking) and all data is escaped by html/template. The
// text body gets the same footer as plain lines. The subject is flattened
// to one line.
package mailtmpl
