package workflows

import (
	"fmt"
	"strings"
)

// SMSTemplates are Bilag 1, the SMS of spring 2020, as templates: {disease}
// and {hotline} are filled from the crisis and the config. A coordinator can
// add further languages in the config.
var SMSTemplates = map[string]string{
	"en": "{disease} is now in Denmark. It spreads easily, and we all have to be highly alert. " +
		"Be aware of the symptoms. Contact the Danish Health Authority hotline on {hotline} if you suspect " +
		"that you have been infected. Please follow the authorities' guidelines to keep others and yourself healthy. " +
		"National Board of Social Services",
	"da": "{disease} er nu i Danmark. Den smitter let, og vi skal alle være meget opmærksomme. " +
		"Vær opmærksom på symptomerne. Ring til Sundhedsstyrelsens hotline på {hotline}, hvis du tror, " +
		"du er smittet. Følg myndighedernes retningslinjer for at passe på dig selv og andre. " +
		"Socialstyrelsen",
}

// FillSMS puts the disease and the hotline into a template.
func FillSMS(template, disease, hotline string) string {
	return strings.NewReplacer("{disease}", disease, "{hotline}", hotline).Replace(template)
}

// gsm7 is the GSM 03.38 basic character set; gsm7Ext the extension table,
// whose characters take two septets.
const (
	gsm7    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

// SMSLength is how a text travels as SMS: its length in the encoding it
// needs and the number of messages (segments) it takes. GSM-7 fits 160
// characters in one message and 153 per part when split; a text with any
// other character needs Unicode (UCS-2): 70, or 67 per part.
type SMSLength struct {
	Unicode  bool
	Chars    int
	Segments int
}

// MeasureSMS counts a text's SMS segments.
func MeasureSMS(text string) SMSLength {
	septets := 0
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsm7, r):
			septets++
		case strings.ContainsRune(gsm7Ext, r):
			septets += 2
		default:
			units := 0
			for _, r := range text {
				if r > 0xFFFF {
					units += 2
				} else {
					units++
				}
			}
			return SMSLength{Unicode: true, Chars: units, Segments: segments(units, 70, 67)}
		}
	}
	return SMSLength{Chars: septets, Segments: segments(septets, 160, 153)}
}

func segments(n, single, part int) int {
	if n <= single {
		return 1
	}
	return (n + part - 1) / part
}

// Describe says the length in words, e.g. "312 tegn, GSM-7, 3 SMS".
func (l SMSLength) Describe(lang Lang) string {
	enc := "GSM-7"
	if l.Unicode {
		enc = "Unicode"
	}
	return fmt.Sprintf(Text{"%d tegn, %s, %d SMS", "%d characters, %s, %d SMS"}.In(lang), l.Chars, enc, l.Segments)
}
