package scaffold_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/scaffold"
)

func TestPeople(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		list string
		want []scaffold.Person
	}{
		{"Иван Иванов, Анна Петрова", []scaffold.Person{{"Иван Иванов", "ivanov"}, {"Анна Петрова", "petrova"}}},
		{"Пётр Щукин,Юлия Хрущёва , Эдуард Цой", []scaffold.Person{{"Пётр Щукин", "shchukin"}, {"Юлия Хрущёва", "khrushcheva"}, {"Эдуард Цой", "tsoy"}}},
		{"Иван Иванов, Пётр Иванов, Павел Иванов", []scaffold.Person{
			{"Иван Иванов", "ivanov"}, {"Пётр Иванов", "ivanov.p"}, {"Павел Иванов", "ivanov.p2"}}},
		{"John Smith, Ольга  Морозова-Петрова", []scaffold.Person{{"John Smith", "smith"}, {"Ольга Морозова-Петрова", "morozova-petrova"}}},
		{"Иван", []scaffold.Person{{"Иван", "ivan"}}},
	} {
		t.Run(tc.list, func(t *testing.T) {
			t.Parallel()
			got, err := scaffold.People(tc.list)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for _, bad := range []string{"", " , ", "李雷", "!!!"} {
		_, err := scaffold.People(bad)
		require.Error(t, err, bad)
	}
}
