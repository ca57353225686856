#!/bin/bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# The man pages and bash completions built from docs/man/*.in and the
# programs' --help (make man): one page per program, every option the
# program's --help prints is in its page's OPTIONS section (and every key in
# livrazou.ini(5)), every subcommand of its Usage line is described, the
# pages render without a warning; every option completes, subcommands and
# values too.
. "$(dirname "$0")/../integration/lib.sh"

MAN=$B/man
COMP=$B/completion
TOOLS="lz-ctl lz-tap lz-sim lz-route"
DAEMONS="lz-bus lz-gateway lz-orders lz-inventory lz-tours lz-bikes lz-returns lz-impact"

# text PAGE: the page as plain text (no bold, no hyphenation), wide lines.
text() {
	groff -man -Tutf8 -rLL=200n -P-c -P-b -P-u "$1" 2>/dev/null |
		sed 's/\xe2\x88\x92/-/g; s/\xe2\x80\x90/-/g'
}

# section PAGE NAME: the lines of the page's section NAME (e.g. OPTIONS).
section() {
	text "$1" | awk -v s="$2" '/^[A-Z]/ { on = ($0 == s); next } on'
}

# options PROG: the options PROG --help prints, one a line (-x too).
options() {
	"$BIN/$1" --help | grep -oE '^ {1,8}(-[A-Za-z0-9], )?--[a-z0-9][a-z0-9-]*' |
		tr -d ' ' | tr ',' '\n'
}

# missing TEXT-FILE PROG: the options of PROG not in TEXT-FILE as a word.
missing() {
	for o in $(options "$2"); do
		grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|$)" "$1" || echo "$o"
	done
}

# subcommands PROG: the words of PROG's Usage line (keygen, partner, add...).
subcommands() {
	"$BIN/$1" --help | sed -n 's/^[Uu]sage: *[^ ]* *//p' |
		sed 's/\[[^]]*\]//g' | tr '|' ' ' | tr ' ' '\n' | grep -E '^[a-z]+$'
}

for p in $DAEMONS $TOOLS; do
	case $p in
	lz-ctl | lz-tap | lz-sim | lz-route) page=$MAN/$p.1 ;;
	*) page=$MAN/$p.8 ;;
	esac
	check "$p: a man page in section ${page##*.}" test -s "$page"
	section "$page" OPTIONS >"$TMP/$p.options"
	check "$p: --help lists options" test "$(options "$p" | wc -l)" -gt 3
	check_eq "$p: every option of --help is in the page's OPTIONS" \
		"$(missing "$TMP/$p.options" "$p" | tr '\n' ' ')" ""
	text "$page" >"$TMP/$p.txt"
	m=""
	for w in $(subcommands "$p"); do
		grep -qw -- "$w" "$TMP/$p.txt" || m="$m $w"
	done
	check_eq "$p: every subcommand of its Usage line is described" "$m" ""
	if command -v man >/dev/null 2>&1; then
		check_eq "$p: renders without a warning" "$(LC_ALL=C.UTF-8 MANWIDTH=80 \
			man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)" ""
	fi
done

# lz-ctl SUBCOMMAND --help: that subcommand's usage and options only, and
# together every option of lz-ctl --help.
all=""
for sub in keygen partner user submit health impact; do
	"$BIN/lz-ctl" "$sub" --help >"$TMP/ctl-$sub.help" 2>&1
	check_eq "lz-ctl $sub --help: exit 0" "$?" 0
	check "lz-ctl $sub --help: its usage" grep -q "^Usage: lz-ctl $sub" "$TMP/ctl-$sub.help"
	all="$all $(grep -oE '^ +--[a-z0-9-]+' "$TMP/ctl-$sub.help" | tr -d ' ' | tr '\n' ' ')"
done
check "lz-ctl impact --help: its options, not submit's" sh -c \
	"grep -q -- '^  --from ' '$TMP/ctl-impact.help' && ! grep -q -- '--server-key' '$TMP/ctl-impact.help'"
check "lz-ctl user add --help: the user subcommand's" sh -c \
	"'$BIN/lz-ctl' user add --help | grep -q -- '^  --password-file '"
m=""
for o in $(options lz-ctl); do
	case " $all " in *" $o "*) ;; *) m="$m $o" ;; esac
done
check_eq "every option of lz-ctl is in one subcommand's help" "$m" ""

# livrazou.ini(5): every key of every program that reads the file, under
# that program's [section].
INI=$MAN/livrazou.ini.5
check "livrazou.ini: a man page in section 5" test -s "$INI"
text "$INI" >"$TMP/ini.txt"
for p in $DAEMONS lz-ctl lz-tap lz-sim; do
	s=$("$BIN/$p" --help | sed -n 's/.*keys of section \[\([a-z]*\)\].*/\1/p')
	awk -v s="   [$s]" '/^   \[/ { on = ($0 == s); next } /^[A-Z]/ { on = 0 } on' \
		"$TMP/ini.txt" >"$TMP/ini-$s.txt"
	m=""
	for o in $(options "$p"); do
		case $o in --help | --version | --config | -?) continue ;; esac
		grep -qE "^ +${o#--} = " "$TMP/ini-$s.txt" || m="$m $o"
	done
	check_eq "livrazou.ini: every key of [$s] ($p)" "$m" ""
done

# The check can fail: a page whose OPTIONS lost one.
sed '/^\\fB\\-\\-state\\fR/,+1d' "$MAN/lz-orders.8" >"$TMP/broken.8"
section "$TMP/broken.8" OPTIONS >"$TMP/broken.options"
check_eq "and it notices an option missing from a page" \
	"$(missing "$TMP/broken.options" lz-orders)" "--state"

# Completions: each program's script, sourced by bash, asked as bash asks.
# complete PROG WORD...: what completing the last WORD offers, one a line.
complete_words() {
	local prog=$1
	shift
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		fn=$(complete -p "$1" | sed "s/.*-F \([^ ]*\) .*/\1/")
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP/$prog" "$prog" "$@"
}

for p in $DAEMONS $TOOLS; do
	check "$p: a completion script that bash reads" bash -n "$COMP/$p"
	m=""
	for o in $(options "$p"); do
		complete_words "$p" "$o" | grep -qx -- "$o" || m="$m $o"
	done
	check_eq "$p: every option completes" "$m" ""
done
check_eq "lz-ctl: its subcommands complete" \
	"$(complete_words lz-ctl "" | sort | tr '\n' ' ')" \
	"$(subcommands lz-ctl | awk '!seen[$0]++' | grep -vxE 'add|passwd|remove|list' | sort | tr '\n' ' ')"
check_eq "lz-ctl partner: add" "$(complete_words lz-ctl partner "")" "add"
check_eq "lz-ctl user: its four verbs" \
	"$(complete_words lz-ctl --config x.ini user "" | tr '\n' ' ')" "add passwd remove list "
complete_words lz-ctl user add -- >"$TMP/user.comp"
check "lz-ctl user --: the users file's options" grep -qx -- --users "$TMP/user.comp"
check "and not the gateway's endpoint" sh -c "! grep -qx -- --gateway '$TMP/user.comp'"
check_eq "lz-orders --log-level: the levels" \
	"$(complete_words lz-orders --log-level "" | tr '\n' ' ')" "debug info warn error "
check_eq "lz-orders --log-level=w: warn" \
	"$(complete_words lz-orders --log-level = w)" "warn"
mkdir -p "$TMP/conf.d"
touch "$TMP/conf.d/livrazou.ini"
check_eq "lz-bus --config: a file" \
	"$(complete_words lz-bus --config "$TMP/conf.d/l")" "$TMP/conf.d/livrazou.ini"
check_eq "lz-route: its problem kinds" \
	"$(complete_words lz-route -t 1 "" | tr '\n' ' ')" "solomon lilim json vroom "
check_eq "lz-sim: its subcommands" \
	"$(complete_words lz-sim "" | tr '\n' ' ')" "setup run summary "
summary
