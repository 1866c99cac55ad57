package mailtmpl_test

import (
	"fmt"
	"log"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/mailtmpl"
)

func ExampleRegistry_Render() {
	r, err := mailtmpl.New(mailtmpl.Brand{ProductName: "Acme", Color: "#0a7cff", ServerURL: "https://acme.test"})
	if err != nil {
		log.Fatal(err)
	}
	out, err := r.Render(mailtmpl.PasswordReset, "es-MX", map[string]any{
		"URL":              "/reset-password?token=abc",
		"ExpiresInMinutes": 30,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Locale)
	fmt.Println(out.Subject)
	fmt.Print(out.Text)
	// Output:
	// es
	// Restablece tu contraseña de Acme
	// Hola:
	//
	// Recibimos una solicitud para restablecer la contraseña de tu cuenta de Acme. Abre este enlace para elegir una nueva:
	//
	// https://acme.test/reset-password?token=abc
	//
	// El enlace es válido durante 30 minutos. Si no pediste restablecer tu contraseña, puedes ignorar este mensaje: tu contraseña seguirá siendo la misma.
	//
	// --
	// Este correo electrónico lo envió Acme.
	// https://acme.test
}

func ExampleRegistry_Register() {
	r, err := mailtmpl.New(mailtmpl.Brand{ProductName: "Acme", ServerURL: "https://acme.test"})
	if err != nil {
		log.Fatal(err)
	}
	err = r.Register("export_ready", mailtmpl.Template{
		Subject: map[string]string{
			"en":    "Your export is ready",
			"pt-BR": "Sua exportação está pronta",
		},
		HTML: map[string]string{
			"en":    `<p>{{.Count}} {{plural .Count "row" "rows"}} exported.</p>{{button .URL "Download"}}`,
			"pt-BR": `<p>{{.Count}} {{plural .Count "linha exportada" "linhas exportadas"}}.</p>{{button .URL "Baixar"}}`,
		},
		Text: map[string]string{
			"en":    "{{.Count}} {{plural .Count \"row\" \"rows\"}} exported:\n\n{{url .URL}}",
			"pt-BR": "{{.Count}} {{plural .Count \"linha exportada\" \"linhas exportadas\"}}:\n\n{{url .URL}}",
		},
		Required: []string{"Count", "URL"},
	})
	if err != nil {
		log.Fatal(err)
	}
	out, err := r.Render("export_ready", "pt", map[string]any{"Count": 1, "URL": "/exports/42"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Locale, "|", out.Subject)
	fmt.Print(out.Text)
	// Output:
	// pt-BR | Sua exportação está pronta
	// 1 linha exportada:
	//
	// https://acme.test/exports/42
	//
	// --
	// Este e-mail foi enviado por Acme.
	// https://acme.test
}
