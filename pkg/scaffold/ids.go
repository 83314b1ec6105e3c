package scaffold

import (
	"fmt"
	"strconv"
	"strings"
)

// translit spells Russian letters in Latin, as passports do (ё as e).
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g",
}

// latin spells a word in lowercase Latin letters, digits and hyphens (a
// double surname), dropping what an id cannot hold.
func latin(word string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(word) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' && b.Len() > 0:
			b.WriteRune(r)
		case translit[r] != "":
			b.WriteString(translit[r])
		}
	}
	return b.String()
}

// Person is one employee of a new team: the name as given and the id made
// of it.
type Person struct {
	Name string
	ID   string
}

// People reads "Иван Иванов, Анна Петрова" into people with ids made of
// their surnames (the last word) in Latin: ivanov, petrova. Two people of
// one surname are told apart by the first letter of the first name
// (ivanov, ivanov.p), then by a number.
func People(list string) ([]Person, error) {
	var out []Person
	taken := map[string]bool{}
	for part := range strings.SplitSeq(list, ",") {
		name := strings.Join(strings.Fields(part), " ")
		if name == "" {
			continue
		}
		words := strings.Fields(name)
		id := strings.Trim(latin(words[len(words)-1]), "-")
		if id == "" {
			return nil, fmt.Errorf("%q: no Latin id can be made of this name; write the config by hand", name)
		}
		if taken[id] && len(words) > 1 {
			if first := latin(words[0]); first != "" {
				id += "." + first[:1]
			}
		}
		base := id
		for n := 2; taken[id]; n++ {
			id = base + strconv.Itoa(n)
		}
		taken[id] = true
		out = append(out, Person{Name: name, ID: id})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no employees in %q (want \"Имя Фамилия, Имя Фамилия\")", list)
	}
	return out, nil
}
