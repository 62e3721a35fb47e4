package wxpaytest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const goodAuth = `WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XmUgx9f0sQvp/lZIzbO4t0VXTYuBq6VxzE+RcEmqfdjLmoRxLVsnLTk4qBNAmjOA=="`

func TestParseAuthorization(t *testing.T) {
	a, err := ParseAuthorization(goodAuth)
	if err != nil {
		t.Fatal(err)
	}
	if a.MchID != "1900000001" || a.NonceStr != "593BEC0C930BF1AFEB40B4A08C8FB242" || a.Timestamp != "1554208460" ||
		a.SerialNo != "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C" || !strings.HasSuffix(a.Signature, "==") {
		t.Errorf("parsed %+v", a)
	}
	if !a.Time().Equal(time.Unix(1554208460, 0)) {
		t.Errorf("Time() = %v", a.Time())
	}
	// Any order, spaces around commas.
	reordered := `WECHATPAY2-SHA256-RSA2048 signature="c2ln", serial_no="S" ,timestamp="1",nonce_str="N",  mchid="M"`
	if a, err := ParseAuthorization(reordered); err != nil || a.Signature != "c2ln" || a.MchID != "M" {
		t.Errorf("reordered: %+v, %v", a, err)
	}

	bad := map[string]string{
		"empty":            "",
		"scheme only":      authScheme,
		"other scheme":     strings.Replace(goodAuth, "RSA2048", "RSA4096", 1),
		"lower-case":       strings.ToLower(goodAuth),
		"missing field":    strings.Replace(goodAuth, `mchid="1900000001",`, "", 1),
		"duplicate field":  goodAuth + `,mchid="1900000002"`,
		"unknown field":    goodAuth + `,extra="1"`,
		"unquoted":         strings.Replace(goodAuth, `mchid="1900000001"`, `mchid=1900000001`, 1),
		"unterminated":     strings.TrimSuffix(goodAuth, `"`),
		"empty value":      strings.Replace(goodAuth, `mchid="1900000001"`, `mchid=""`, 1),
		"no comma":         strings.Replace(goodAuth, `",nonce_str`, `" nonce_str`, 1),
		"trailing comma":   goodAuth + ",",
		"timestamp letter": strings.Replace(goodAuth, "1554208460", "155420846x", 1),
		"timestamp sign":   strings.Replace(goodAuth, "1554208460", "-1554208460", 1),
		"timestamp huge":   strings.Replace(goodAuth, "1554208460", "99999999999999999999", 1),
	}
	for name, h := range bad {
		if a, err := ParseAuthorization(h); err == nil {
			t.Errorf("%s: parsed %+v, want an error", name, a)
		}
	}
}

func TestNonceCache(t *testing.T) {
	var c nonceCache
	now := time.Now()
	if !c.add("a", now) || c.add("a", now.Add(time.Minute)) {
		t.Fatal("replay within the window accepted")
	}
	if !c.add("a", now.Add(2*maxClockSkew+time.Second)) {
		t.Fatal("nonce not forgotten after the window")
	}
	for i := range 1000 {
		c.add(fmt.Sprint(i), now.Add(time.Hour))
	}
	c.add("x", now.Add(3*time.Hour)) // prunes
	if len(c.seen) > 300 {
		t.Errorf("nonce cache not pruned: %d entries", len(c.seen))
	}
}
