package mailtmpl

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Brand is what every email carries of the product that sends it. It is
// available to every template as .Brand.
type Brand struct {
	// ProductName is shown as the header and in the footer. Required.
	ProductName string
	// Color is the brand colour, "#rgb" or "#rrggbb": the header, the
	// buttons and the links. Default "#4f46e5".
	Color string
	// ServerURL is the public, absolute http(s) URL of the server (the
	// SERVER_URL setting): the footer links to it and relative links in
	// templates resolve against it. Required.
	ServerURL string
	// Address is an optional postal address shown as the last footer line.
	Address string
}

// DefaultColor is the brand colour used when Brand.Color is empty.
const DefaultColor = "#4f46e5"

// withDefaults returns b with defaults applied and surrounding spaces trimmed.
func (b Brand) withDefaults() Brand {
	b.ProductName = strings.TrimSpace(b.ProductName)
	b.Color = strings.ToLower(strings.TrimSpace(b.Color))
	b.ServerURL = strings.TrimSpace(b.ServerURL)
	b.Address = strings.TrimSpace(b.Address)
	if b.Color == "" {
		b.Color = DefaultColor
	}
	return b
}

// validate reports the first field of b that cannot be used, naming the
// field, the value and what is allowed.
func (b Brand) validate() error {
	if b.ProductName == "" {
		return fmt.Errorf("brand: ProductName is empty")
	}
	if strings.ContainsAny(b.ProductName, "\r\n") {
		return fmt.Errorf("brand: ProductName %q must be one line", b.ProductName)
	}
	if !validColor(b.Color) {
		return fmt.Errorf("brand: Color %q is not a hex colour (#rgb or #rrggbb)", b.Color)
	}
	u, err := url.Parse(b.ServerURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("brand: ServerURL %q is not an absolute http or https URL", b.ServerURL)
	}
	if strings.ContainsAny(b.Address, "\r\n") {
		return fmt.Errorf("brand: Address %q must be one line", b.Address)
	}
	return nil
}

// validColor reports whether c is "#rgb" or "#rrggbb".
func validColor(c string) bool {
	if len(c) != 4 && len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// contrastColor returns the text colour for a button of the valid hex
// colour c: white while it keeps the 3:1 contrast WCAG asks of large text
// (the button label is 18px bold), near-black on colours too pale for that,
// so a product with a yellow brand still gets a legible button.
func contrastColor(c string) string {
	hex := c[1:]
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	v, _ := strconv.ParseUint(hex, 16, 32)
	channel := func(shift uint) float64 {
		s := float64((v>>shift)&0xff) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	// WCAG relative luminance and the contrast ratio of white against it.
	l := 0.2126*channel(16) + 0.7152*channel(8) + 0.0722*channel(0)
	if 1.05/(l+0.05) >= 3 {
		return "#ffffff"
	}
	return "#18181b"
}
