#!/usr/bin/env bash
# remotefs sub-commands against real directories, with coreutils/stat as the
# oracle: stdout, the stderr JSON (exact bytes) and the exit status of each
# (../shared/spec/gcstools.md §8.1-§8.5).
. "$(dirname "$0")/../lib.sh"
need_root
tmpdir
R="$BIN/remotefs"
L="$T/log"
d="$T/d"
mkdir -p "$d/sub" && printf 'hello\n' >"$d/f" && ln -s f "$d/l" && mkfifo "$d/p"
touch -d '2018-03-01 12:34:56.123456789' "$d/f"
rfs() { "$R" -logfile "$L" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
out() { cat "$T/out"; }
err() { cat "$T/err"; }

# Go's FileMode and UnixNano mtime, computed from stat(1).
gomode() { # path [-L]
	local f=${2:-} m t
	m=$(stat $f -c '%a' "$1"); t=$(stat $f -c '%F' "$1")
	local v=$((8#$m & 0777))
	(( 8#$m & 04000 )) && v=$((v | 1 << 23))
	(( 8#$m & 02000 )) && v=$((v | 1 << 22))
	(( 8#$m & 01000 )) && v=$((v | 1 << 20))
	case $t in
	directory) v=$((v | 1 << 31)) ;; "symbolic link") v=$((v | 1 << 27)) ;;
	fifo) v=$((v | 1 << 25)) ;; "character special file") v=$((v | 1 << 26 | 1 << 21)) ;;
	"block special file") v=$((v | 1 << 26)) ;; socket) v=$((v | 1 << 24)) ;;
	esac
	echo $v
}
mtime_ns() { local s; s=$(stat ${2:-} -c '%.9Y' "$1"); echo "${s/./}" | sed 's/^0*//'; }
fileinfo() { # name path [-L]
	local size isdir=false
	size=$(stat ${3:-} -c %s "$2")
	[ "$(stat ${3:-} -c %F "$2")" = directory ] && isdir=true
	printf '{"NameVar":"%s","SizeVar":%s,"ModeVar":%s,"ModTimeVar":%s,"IsDirVar":%s}' \
		"$1" "$size" "$(gomode "$2" ${3:-})" "$(mtime_ns "$2" ${3:-})" "$isdir"
}

rfs stat "$d/l"
ok_eq "stat follows the link" "$(fileinfo l "$d/l" -L)" "$(out)"
ok_eq "stat: empty stderr, exit 0" "0:" "$(cat "$T/rc"):$(err)"
rfs lstat "$d/l"
ok_eq "lstat describes the link" "$(fileinfo l "$d/l")" "$(out)"
rfs lstat "$d/sub/"
ok_eq "lstat of a directory (trailing slash)" "$(fileinfo sub "$d/sub")" "$(out)"
rfs lstat "$d/p"
ok_eq "lstat of a fifo" "$(fileinfo p "$d/p")" "$(out)"
rfs stat "$d/missing"
ok_eq "stat of a missing path: portable message, exit 0" '0:{"ErrString":"file does not exist"}' "$(cat "$T/rc"):$(err)"
ok_eq "stat of a missing path: no stdout" "" "$(out)"
rfs stat "$d/f/x"
ok_eq "stat through a file: errno kept" '{"ErrString":"stat '"$d"'/f/x: not a directory","ErrNum":20}' "$(err)"

rfs readlink "$d/l"
ok_eq "readlink: target without newline" "f" "$(out)"
ok_eq "readlink: byte count" 1 "$(stat -c %s "$T/out")"
rfs readlink "$d/f"
ok_eq "readlink of a file: EINVAL" '{"ErrString":"readlink '"$d"'/f: invalid argument","ErrNum":22}' "$(err)"

rfs mkdir "$d/m" 20000000755
ok_eq "mkdir with a Go FileMode (dir bit ignored)" "755" "$(stat -c %a "$d/m")"
rfs mkdir "$d/m" 0755
ok_eq "mkdir of an existing dir" '{"ErrString":"file already exists"}' "$(err)"
rfs mkdir "$d/m2" 9
ok_eq "mkdir with a bad mode" '{"ErrString":"strconv.ParseUint: parsing \"9\": invalid syntax"}' "$(err)"
rfs mkdirall "$d/a/b/c" 0700
ok_eq "mkdirall creates parents" "700" "$(stat -c %a "$d/a/b/c")"
rfs mkdirall "$d/a/b" 0700
ok_eq "mkdirall on an existing dir succeeds" "0:" "$(cat "$T/rc"):$(err)"
rfs mkdirall "$d/f/x" 0700
ok_eq "mkdirall below a file" '{"ErrString":"mkdir '"$d"'/f: not a directory","ErrNum":20}' "$(err)"

cp "$d/f" "$d/rm1"
rfs remove "$d/rm1"
ok "remove a file" test ! -e "$d/rm1"
rfs remove "$d/a"
ok_eq "remove of a non-empty dir" '{"ErrString":"file already exists"}' "$(err)"
rfs removeall "$d/a"
ok "removeall removes a tree" test ! -e "$d/a"
rfs removeall "$d/never"
ok_eq "removeall of a missing path succeeds" "" "$(err)"

rfs link "$d/f" "$d/hard"
ok_eq "link: same inode" "$(stat -c %i "$d/f")" "$(stat -c %i "$d/hard")"
rfs link "$d/f" "$d/hard"
ok_eq "link onto an existing name" '{"ErrString":"file already exists"}' "$(err)"
rfs link "$d/nope" "$d/hard2"
ok_eq "link of a missing file" '{"ErrString":"file does not exist"}' "$(err)"
rfs symlink "../x" "$d/sym"
ok_eq "symlink" "../x" "$(readlink "$d/sym")"

rfs lchmod "$d/f" 0600
ok_eq "lchmod of a file" "600" "$(stat -c %a "$d/f")"
rfs lchmod "$d/l" 0600
ok_eq "lchmod of a symlink: operation not supported, no ErrNum" '{"ErrString":"operation not supported"}' "$(err)"
rfs lchown "$d/l" 123 456
ok_eq "lchown changes the link, not the target" "123:456 0:0" "$(stat -c %u:%g "$d/l") $(stat -L -c %u:%g "$d/l")"
rfs lchown "$d/l" x 1
ok_eq "lchown with a bad uid" '{"ErrString":"strconv.ParseInt: parsing \"x\": invalid syntax"}' "$(err)"
rfs mknod "$d/null" 020666 1 3
ok_eq "mknod of a char device" "character special file 1,3" "$(stat -c '%F %t,%T' "$d/null")"
rfs mknod "$d/null" 020666 1 3
ok_eq "mknod on an existing name: bare errno" '{"ErrString":"file already exists"}' "$(err)"
rfs mkfifo "$d/p2" 0640
ok_eq "mkfifo" "fifo 640" "$(stat -c '%F %a' "$d/p2")"

rfs readfile "$d/f"
ok_eq "readfile copies the bytes" "hello" "$(out)"
rfs readfile "$d/none"
ok_eq "readfile of a missing file" '{"ErrString":"file does not exist"}' "$(err)"
head -c 100000 /dev/urandom >"$T/blob"
"$R" -logfile "$L" writefile "$d/w" 0640 <"$T/blob" 2>"$T/err"
ok "writefile writes stdin" cmp "$T/blob" "$d/w"
ok_eq "writefile applies perm" "640" "$(stat -c %a "$d/w")"

mkdir "$d/rd" "$d/rd/x" && : >"$d/rd/a" && ln -s a "$d/rd/s"
rfs readdir "$d/rd" 0
want=$(cd "$d/rd" && for n in $(ls -U); do fileinfo "$n" "$n"; echo; done | sort)
got=$(out | python3 -c 'import json,sys; [print(json.dumps(e,separators=(",",":"))) for e in json.load(sys.stdin)]' | sort)
ok_eq "readdir lists every entry with lstat info" "$want" "$got"
rfs readdir "$d/rd" 2
ok_eq "readdir with n=2 returns two" 2 "$(out | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
mkdir "$d/empty"
rfs readdir "$d/empty" 0
ok_eq "readdir of an empty dir: []" "[]" "$(out)"
rfs readdir "$d/empty" 1
ok_eq "readdir n>0 of an empty dir: EOF" '{"ErrString":"EOF"}' "$(err)"
rfs readdir "$d/f" 0
ok_eq "readdir of a file" '{"ErrString":"readdirent: not a directory","ErrNum":20}' "$(err)"
rfs readdir "$d/rd" -x
ok_eq "readdir with a bad count" '{"ErrString":"strconv.ParseInt: parsing \"-x\": invalid syntax"}' "$(err)"

# resolvepath on a hostile tree: nothing escapes the root.
r="$T/root"
mkdir -p "$r/etc" "$r/a" && : >"$r/etc/passwd"
ln -s /etc "$r/abs" && ln -s ../../../../../etc "$r/a/up" && ln -s loop2 "$r/loop1" && ln -s loop1 "$r/loop2"
rfs resolvepath "$r/abs/passwd" "$r"
ok_eq "resolvepath re-roots absolute links" "$r/etc/passwd" "$(out)"
rfs resolvepath "$r/a/up/passwd" "$r"
ok_eq "resolvepath stops .. at the root" "$r/etc/passwd" "$(out)"
rfs resolvepath "$r/no/such/thing" "$r"
ok_eq "resolvepath keeps missing components" "$r/no/such/thing" "$(out)"
rfs resolvepath "$r/loop1" "$r"
ok_eq "resolvepath on a loop" '{"ErrString":"evalSymlinksInScope: too many links in '"$r"'/loop1"}' "$(err)"
rfs resolvepath /etc/passwd "$r"
ok_eq "resolvepath outside the root" '{"ErrString":"evalSymlinksInScope: /etc/passwd is not in '"$r"'"}' "$(err)"

# Dispatch and usage.
"$R" -logfile "$L" stat >"$T/out" 2>"$T/err"
ok_eq "one positional argument: exit 1, silent" "1:" "$?:$(err)"
"$R" -logfile "$L" bogus x >"$T/out" 2>"$T/err"
ok_eq "unknown sub-command: exit 1" 1 $?
ok "unknown sub-command: lists the known ones" grep -q "^unknown command: bogus" "$T/err"
ok "unknown sub-command: tab-indented names" grep -qP "^\topenfile$" "$T/err"
rfs lchown "$d/f" 1
ok_eq "too few arguments for the sub-command" '{"ErrString":"invalid arguments"}' "$(err)"
"$R" --help >"$T/out" 2>"$T/err"
ok_eq "--help exits 2" 2 $?
ok "--help names every sub-command" bash -c "for c in stat lstat readlink mkdir mkdirall remove removeall link symlink lchmod lchown mknod mkfifo readfile writefile readdir resolvepath extractarchive archivepath openfile; do grep -q \"^  \$c \" '$T/err' || exit 1; done"
"$R" --logfile="$T/l2" --loglevel=info stat "$d/f" >/dev/null 2>&1
ok "--logfile=F writes the log there" test -s "$T/l2"
(cd "$T" && "$BIN/gcstools" remotefs stat "$d/f" >/dev/null 2>&1)
ok "default log name splices the sub-command" test -f /tmp/remotefs.stat.log
"$R" -loglevel bogus stat "$d/f" >/dev/null 2>"$T/err"
ok_eq "bad -loglevel: exit 1" 1 $?
