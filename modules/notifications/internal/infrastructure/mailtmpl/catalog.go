package mailtmpl

import (
	"fmt"
	"time"
)

// catalog holds what the shared layout and the helper funcs say in one
// locale. A template in a locale without a catalog (a product's "fr") gets
// the catalog its locale resolves to, English at worst.
type catalog struct {
	// messages are the layout's strings, read with {{msg "key" args…}}.
	messages map[string]string
	// datetime writes an instant, already in UTC, in the locale's style.
	datetime func(t time.Time) string
	// one reports whether a count takes the singular form.
	one func(n float64) bool
}

var catalogs = map[string]catalog{
	"en": {
		messages: map[string]string{
			"buttonFallback": "If the button does not work, copy and paste this link into your browser:",
			"sentBy":         "This email was sent by %s.",
		},
		datetime: func(t time.Time) string {
			return fmt.Sprintf("%s %d, %d at %s UTC", t.Month(), t.Day(), t.Year(), t.Format("3:04 PM"))
		},
		one: func(n float64) bool { return n == 1 },
	},
	"es": {
		messages: map[string]string{
			"buttonFallback": "Si el botón no funciona, copia y pega este enlace en tu navegador:",
			"sentBy":         "Este correo electrónico lo envió %s.",
		},
		datetime: deMonthDe(monthsES, "a las"),
		one:      func(n float64) bool { return n == 1 },
	},
	"pt-BR": {
		messages: map[string]string{
			"buttonFallback": "Se o botão não funcionar, copie e cole este link no seu navegador:",
			"sentBy":         "Este e-mail foi enviado por %s.",
		},
		datetime: deMonthDe(monthsPT, "às"),
		// CLDR: Brazilian Portuguese uses the singular for 0 and 1
		// ("0 hora", "1 hora", "2 horas").
		one: func(n float64) bool { return n >= 0 && n < 2 },
	},
}

// catalogLocales lists the keys of catalogs, sorted, for resolveLocale.
var catalogLocales = []string{"en", "es", "pt-BR"}

var monthsES = [12]string{
	"enero", "febrero", "marzo", "abril", "mayo", "junio",
	"julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
}

var monthsPT = [12]string{
	"janeiro", "fevereiro", "março", "abril", "maio", "junho",
	"julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
}

// deMonthDe writes an instant as Spanish and Portuguese do: "3 de enero
// de 2026 a las 15:04 UTC", with the locale's month names and word for "at".
func deMonthDe(months [12]string, at string) func(t time.Time) string {
	return func(t time.Time) string {
		return fmt.Sprintf("%d de %s de %d %s %s UTC", t.Day(), months[t.Month()-1], t.Year(), at, t.Format("15:04"))
	}
}

// catalogFor returns the catalog for a template's locale.
func catalogFor(locale string) catalog {
	return catalogs[resolveLocale(locale, catalogLocales)]
}
