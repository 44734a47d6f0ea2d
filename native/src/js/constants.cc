// Values come from the libc headers where they exist; the #ifndef fallbacks are the kernel's
// UAPI values, for libcs that predate the new mount API. Only <sys/mount.h> is included:
// on glibc 2.36 it clashes with <linux/mount.h> (2.36-9 onwards includes it itself).
#include <unistd.h>
#include "js/constants.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>

#include <cstdint>

#include "sys/dir_scan.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif
#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSPICK_CLOEXEC
#define FSPICK_CLOEXEC 0x00000001
#define FSPICK_SYMLINK_NOFOLLOW 0x00000002
#define FSPICK_NO_AUTOMOUNT 0x00000004
#define FSPICK_EMPTY_PATH 0x00000008
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef FSCONFIG_SET_FLAG
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_SET_BINARY 2
#define FSCONFIG_SET_PATH 3
#define FSCONFIG_SET_PATH_EMPTY 4
#define FSCONFIG_SET_FD 5
#define FSCONFIG_CMD_CREATE 6
#define FSCONFIG_CMD_RECONFIGURE 7
#endif
#ifndef FSCONFIG_CMD_CREATE_EXCL
#define FSCONFIG_CMD_CREATE_EXCL 8
#endif
#ifndef MOVE_MOUNT_F_SYMLINKS
#define MOVE_MOUNT_F_SYMLINKS 0x00000001
#define MOVE_MOUNT_F_AUTOMOUNTS 0x00000002
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_SYMLINKS 0x00000010
#define MOVE_MOUNT_T_AUTOMOUNTS 0x00000020
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOVE_MOUNT_SET_GROUP
#define MOVE_MOUNT_SET_GROUP 0x00000100
#endif
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

namespace ovl::js {

namespace {

// Flag words are unsigned in the kernel; glibc declares MS_NOUSER as the int enum value
// 1 << 31, which would otherwise come out negative.
double Unsigned(long long v) { return static_cast<double>(static_cast<uint32_t>(v)); }

}  // namespace

Napi::Object MakeConstants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define U(name) c.Set(#name, Napi::Number::New(env, Unsigned(name)))
#define S(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
  // mount(2) flags
  U(MS_RDONLY); U(MS_NOSUID); U(MS_NODEV); U(MS_NOEXEC); U(MS_SYNCHRONOUS); U(MS_REMOUNT);
  U(MS_MANDLOCK); U(MS_DIRSYNC); U(MS_NOSYMFOLLOW); U(MS_NOATIME); U(MS_NODIRATIME);
  U(MS_BIND); U(MS_MOVE); U(MS_REC); U(MS_SILENT); U(MS_POSIXACL); U(MS_UNBINDABLE);
  U(MS_PRIVATE); U(MS_SLAVE); U(MS_SHARED); U(MS_RELATIME); U(MS_KERNMOUNT); U(MS_I_VERSION);
  U(MS_STRICTATIME); U(MS_LAZYTIME); U(MS_ACTIVE); U(MS_NOUSER); U(MS_MGC_VAL); U(MS_MGC_MSK);
  // umount2(2) flags
  U(MNT_FORCE); U(MNT_DETACH); U(MNT_EXPIRE); U(UMOUNT_NOFOLLOW);
  // fsmount(2) / mount_setattr(2) attributes
  U(MOUNT_ATTR_RDONLY); U(MOUNT_ATTR_NOSUID); U(MOUNT_ATTR_NODEV); U(MOUNT_ATTR_NOEXEC);
  U(MOUNT_ATTR__ATIME); U(MOUNT_ATTR_RELATIME); U(MOUNT_ATTR_NOATIME);
  U(MOUNT_ATTR_STRICTATIME); U(MOUNT_ATTR_NODIRATIME); U(MOUNT_ATTR_IDMAP);
  U(MOUNT_ATTR_NOSYMFOLLOW);
  // The rest of the new mount API
  U(FSOPEN_CLOEXEC); U(FSPICK_CLOEXEC); U(FSPICK_SYMLINK_NOFOLLOW); U(FSPICK_NO_AUTOMOUNT);
  U(FSPICK_EMPTY_PATH); U(FSMOUNT_CLOEXEC);
  U(FSCONFIG_SET_FLAG); U(FSCONFIG_SET_STRING); U(FSCONFIG_SET_BINARY); U(FSCONFIG_SET_PATH);
  U(FSCONFIG_SET_PATH_EMPTY); U(FSCONFIG_SET_FD); U(FSCONFIG_CMD_CREATE);
  U(FSCONFIG_CMD_RECONFIGURE); U(FSCONFIG_CMD_CREATE_EXCL);
  U(MOVE_MOUNT_F_SYMLINKS); U(MOVE_MOUNT_F_AUTOMOUNTS); U(MOVE_MOUNT_F_EMPTY_PATH);
  U(MOVE_MOUNT_T_SYMLINKS); U(MOVE_MOUNT_T_AUTOMOUNTS); U(MOVE_MOUNT_T_EMPTY_PATH);
  U(MOVE_MOUNT_SET_GROUP); U(MOVE_MOUNT_BENEATH); U(OPEN_TREE_CLONE); U(OPEN_TREE_CLOEXEC);
  // *at() conventions
  S(AT_FDCWD); U(AT_SYMLINK_NOFOLLOW); U(AT_EMPTY_PATH); U(AT_RECURSIVE);
  // File types (mknod, st_mode)
  U(S_IFMT); U(S_IFREG); U(S_IFDIR); U(S_IFLNK); U(S_IFCHR); U(S_IFBLK); U(S_IFIFO); U(S_IFSOCK);
  // xattr flags
  U(XATTR_CREATE); U(XATTR_REPLACE);
  // statfs f_flags
  U(ST_RDONLY); U(ST_NOSUID); U(ST_NODEV); U(ST_NOEXEC); U(ST_SYNCHRONOUS); U(ST_MANDLOCK);
  U(ST_NOATIME); U(ST_NODIRATIME); U(ST_RELATIME); U(ST_NOSYMFOLLOW);
  // inotify(7) event and watch bits (InotifyWatcher)
  U(IN_ACCESS); U(IN_MODIFY); U(IN_ATTRIB); U(IN_CLOSE_WRITE); U(IN_CLOSE_NOWRITE); U(IN_CLOSE);
  U(IN_OPEN); U(IN_MOVED_FROM); U(IN_MOVED_TO); U(IN_MOVE); U(IN_CREATE); U(IN_DELETE);
  U(IN_DELETE_SELF); U(IN_MOVE_SELF); U(IN_UNMOUNT); U(IN_Q_OVERFLOW); U(IN_IGNORED);
  U(IN_ONLYDIR); U(IN_DONT_FOLLOW); U(IN_EXCL_UNLINK); U(IN_MASK_CREATE); U(IN_MASK_ADD);
  U(IN_ISDIR); U(IN_ONESHOT); U(IN_ALL_EVENTS);
#undef U
#undef S
  // DirScan.flags bits (scanDir)
  c.Set("SCAN_WHITEOUT_CHARDEV", Napi::Number::New(env, sys::kScanWhiteoutChardev));
  c.Set("SCAN_XATTR_WHITEOUT", Napi::Number::New(env, sys::kScanXattrWhiteout));
  c.Set("SCAN_OPAQUE", Napi::Number::New(env, sys::kScanOpaque));
  c.Set("SCAN_OPAQUE_X", Napi::Number::New(env, sys::kScanOpaqueX));
  c.Set("SCAN_REDIRECT", Napi::Number::New(env, sys::kScanRedirect));
  c.Set("SCAN_METACOPY", Napi::Number::New(env, sys::kScanMetacopy));
  c.Set("SCAN_HAS_XATTRS", Napi::Number::New(env, sys::kScanHasXattrs));
  c.Set("SCAN_FULL", Napi::Number::New(env, sys::kScanFull));
  // statfs f_type of the filesystems an overlay is usually stacked on or compared with
  c.Set("OVERLAYFS_SUPER_MAGIC", Napi::Number::New(env, 0x794c7630));
  c.Set("TMPFS_MAGIC", Napi::Number::New(env, 0x01021994));
  c.Set("EXT4_SUPER_MAGIC", Napi::Number::New(env, 0xef53));
  c.Set("XFS_SUPER_MAGIC", Napi::Number::New(env, 0x58465342));
  c.Set("BTRFS_SUPER_MAGIC", Napi::Number::New(env, 0x9123683e));
  // mount(2) copies one page of option data and silently drops the rest: core needs the size.
  c.Set("PAGE_SIZE", Napi::Number::New(env, static_cast<double>(sysconf(_SC_PAGESIZE))));
  c.Freeze();
  return c;
}

}  // namespace ovl::js
