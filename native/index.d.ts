/**
 * The raw contract of the ovl native addon, written by hand (the node-pty habit): this is
 * what src/js/addon.cc exports, nothing more. No policy lives here: @ovl/core validates
 * arguments, builds errors users see and decides what to call.
 *
 * Conventions
 * - Every call that can block has a sync form (`name`) and an async form (`nameAsync`)
 *   that copies its arguments before queueing and runs on the libuv thread pool.
 * - A failure is thrown (sync) or rejected (async) as an `Error` carrying
 *   {@link NativeErrorFields}: never a message-only error.
 * - Arguments of the wrong type raise a `TypeError` ("umount2: target must be a string or
 *   Buffer, got number"); numbers that are not integers or out of range (fds and flags are
 *   32-bit) raise a `RangeError`. The async forms reject with these instead of throwing.
 * - Paths are passed as strings (UTF-8 encoded to bytes) or Buffers (raw bytes).
 */

// The types live in a namespace merged with the value, so that `export =` (the addon is a
// CommonJS module) can sit beside named type exports: `import type { DirScan } from '@ovl/native'`.
declare namespace binding {
  export type PathLike = string | Buffer;

  /** Fields carried by every error the addon throws or rejects with. */
  export interface NativeErrorFields {
    /** Positive errno value, e.g. 22. */
    errno: number;
    /** Errno name, e.g. 'EINVAL'. */
    code: string;
    /** The syscall that failed: 'mount', 'umount2', 'fsopen', 'fsconfig', 'fsmount', 'move_mount', 'open', 'statx', ... */
    syscall: string;
    /** In a sequence (fsmountPlan): the step that failed: 'fsopen' | 'open-layer' | 'fsconfig' | 'create' | 'fsmount' | 'verify' | 'move_mount'. */
    step?: string;
    /** In a sequence: the fsconfig key being set when it failed, e.g. 'upperdir'. */
    key?: string;
    /** In a sequence: index into plan.params of the failing parameter. */
    paramIndex?: number;
    path?: string;
    dest?: string;
    /**
     * Every line read back from the fs_context fd after the failure (e.g. "e overlay: Bad value for 'redirect_dir'"),
     * trailing newline removed; empty when none. fsmountPlan drains the log after any failure past fsopen; the raw
     * fsconfig/fsmount calls only when their fd really is an fs_context (reading any other fd could block).
     * Not every kernel failure is logged here: some (e.g. overlay's "conflicting options") go to dmesg only.
     */
    kernelMessages: string[];
  }
  export type NativeError = Error & NativeErrorFields;

  /** One fsconfig(2) call of a plan. */
  export interface FsParam {
    /**
     * - 'flag':   FSCONFIG_SET_FLAG key
     * - 'string': FSCONFIG_SET_STRING key=value (the kernel caps value at 255 bytes)
     * - 'path':   the addon opens `value` with O_PATH|O_DIRECTORY|O_CLOEXEC (|O_NOFOLLOW when
     *             noFollow) and passes the fd with FSCONFIG_SET_FD (kernel 6.13+ for overlay
     *             layers); the fd is closed when the plan ends. A failed open reports
     *             step 'open-layer', syscall 'open', path.
     * - 'fd':     FSCONFIG_SET_FD with the caller's fd (not closed by the addon)
     * - 'opened': examineAndMount only: FSCONFIG_SET_FD with the fd that call opened for `paths[index]`
     */
    type: 'flag' | 'string' | 'path' | 'fd' | 'opened';
    key: string;
    value?: PathLike;
    fd?: number;
    noFollow?: boolean;
    /** 'opened': the index into examineAndMount's `paths`. */
    index?: number;
  }

  /** A whole new-mount-API mount done in one native call (one thread hop when async). */
  export interface FsMountPlan {
    /** Filesystem type for fsopen, e.g. 'overlay'. */
    fstype: string;
    /** Applied in order, one fsconfig call each, then FSCONFIG_CMD_CREATE. */
    params: FsParam[];
    /** MOUNT_ATTR_* flags for fsmount. */
    attrs: number;
    /** Destination of move_mount (AT_FDCWD-relative path). */
    target: PathLike;
    /**
     * Refuse, with EROFS at step 'verify' (syscall 'fstatvfs'), a mount that came up read-only
     * although attrs lacks MOUNT_ATTR_RDONLY. Checked on the detached mount before move_mount,
     * so a silently read-only mount is never attached.
     */
    refuseReadonly?: boolean;
  }

  /** What probePaths learns about one path (statx following symlinks). */
  /** What readBeneath opened, and read. */
  export interface BeneathRead {
    /** st_mode of what was opened. */
    mode: number;
    ino: bigint;
    size: number;
    /** The bytes read (regular files only). */
    data: Buffer;
    /** With `link`: the symlink's target. */
    link?: Buffer;
  }

  /** One entry of statManyBeneath: errno 0 with the stat fields, or the errno alone. */
  export type BeneathEntry = ({ errno: 0 } & BeneathStat & { data?: Buffer }) | { errno: number };

  /** A sha256 kept across streamBeneath calls (createStreamHash): opaque. */
  export interface StreamHash {
    /** Type-only: no such property exists; it keeps other objects from passing for one. */
    readonly __streamHash: never;
  }

  /** What streamBeneath did: the bytes it produced, and the hash of everything produced so far. */
  export interface StreamBeneathResult {
    /** Bytes of stream this call produced. */
    written: number;
    /** The stream itself, when `out` was -1. */
    data?: Buffer;
    /** The sha256 state after this call's bytes: pass it to the next call to go on hashing (absent when stopped, and with a StreamHash). */
    hashState?: Buffer;
    /** sha256 (hex) of every byte hashed through the chain of calls so far (absent when stopped, and with a StreamHash: ask streamHashDigest). */
    digest?: string;
    /**
     * The file at `index` of `rels` was not what the layout said, and the stream was cut there
     * (the output holds part of it: discard it). `errno`: opening or reading it failed (ELOOP
     * for a symlink on the way, EXDEV, ENOENT); otherwise what fstat saw (`mode`, `ino`,
     * `size`), and `changed` when it was written to while read (its ctime or size moved) or
     * had fewer bytes than its size.
     */
    stopped?: { index: number; errno: number; mode?: number; ino?: number; size?: number; changed?: boolean };
  }

  /** What readManyBeneath read: entry i's bytes are data.subarray(i === 0 ? 0 : ends[i - 1], ends[i]). */
  export interface ManyRead {
    data: Buffer;
    ends: Float64Array;
    /** st_mode of what entry i opened; 0 when it failed. */
    modes: Uint32Array;
    /** 0, or the errno entry i failed with. */
    errnos: Int32Array;
    /** Per entry, 5 uint64 (native byte order): dev, ino, size, mtime ns, ctime ns of the regular file read (zeros otherwise); what `known` takes next time. */
    keys: Buffer;
    /** 1: entry i's key was what `known` said (and trusted): not read, no bytes. */
    same: Uint8Array;
  }

  /** One entry of writeBeneath. Owner, times and xattrs are set only when given. */
  export interface WriteBeneathEntry {
    /** file: content at `offset` (`first` creates afresh, default true; `last` then sets metadata, default true); dir: made or kept; remove: the whole tree at rel (absent, or under something not a dir — a symlink is never followed: nothing to do); empty: everything inside the dir rel (nothing where no dir is, or behind a symlink); times: the mtime only; unsetxattrs: remove the xattrs named in `xattrs` (values ignored). */
    kind: 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo' | 'remove' | 'empty' | 'times' | 'unsetxattrs';
    /** 'a/b/c' beneath root ('.' = root itself, for dir, empty and times). */
    rel: PathLike;
    /** Permission bits with setuid/setgid/sticky. */
    mode?: number;
    uid?: number;
    gid?: number;
    mtimeSec?: number;
    mtimeNsec?: number;
    devMajor?: number;
    devMinor?: number;
    /** A symlink's target (never resolved), or a hard link's existing source beneath root. */
    target?: PathLike;
    data?: Uint8Array;
    offset?: number;
    first?: boolean;
    last?: boolean;
    xattrs?: Array<[string | Uint8Array, Uint8Array | string]>;
  }

  /** What statBeneath found. */
  export interface BeneathStat {
    mode: number;
    ino: number;
    size: number;
    mtimeMs: number;
    uid: number;
    gid: number;
    rdevMajor: number;
    rdevMinor: number;
    /** Every xattr (files and dirs only): [name, value] pairs. */
    xattrs: Array<[string, Buffer]>;
  }

  /** What umountIf found, and did. */
  export interface UmountIfResult {
    unmounted: boolean;
    /** statx of the target succeeded. */
    targetExists: boolean;
    /** Id (of the kind asked for) of the mount in front of the target. */
    frontId: number;
    /** Id of the mount the target's parent dir is on; 0 when not looked at (unmounted) or unknown. */
    parentId: number;
  }

  /** What fsmountPlan (or mountLegacy) made. */
  export interface FsMountResult {
    /** The new mount's id (statx STATX_MNT_ID on the mount fd before move_mount): the number /proc/self/mountinfo shows first. It is reused once the mount is gone. */
    mountId: number;
    /** STATX_MNT_ID_UNIQUE (Linux 6.8+): never reused while the machine runs; absent on older kernels. */
    uniqueMountId?: number;
  }

  export interface PathProbe {
    /** 0 when the path could be examined; otherwise the positive errno and no other field. */
    errno: number;
    /** st_mode (type and permission bits). */
    mode?: number;
    /** Device of the filesystem holding the path. */
    devMajor?: number;
    devMinor?: number;
    ino?: bigint;
    /** Mount id (STATX_MNT_ID): paths on the same mount have the same id. */
    mountId?: number;
    /** probePaths only: STATX_MNT_ID_UNIQUE (Linux 6.8+, never reused); absent on older kernels. */
    uniqueMountId?: number;
    /** realpath(3) of the path, when asked for. If realpath fails after statx succeeded, the entry is just its errno. */
    realpath?: string;
    /** Whether the path itself (its last component) is a symlink (probePaths only). */
    isSymlink?: boolean;
    /** openPaths only: an O_PATH|O_CLOEXEC fd on what was examined; the caller closes it. */
    fd?: number;
  }

  /** A mount of the type examinePaths was asked for, from statmount(2). */
  export interface MountOfType {
    /** The id /proc/self/mountinfo shows (reused once the mount is gone). */
    mountId: number;
    /** STATX_MNT_ID_UNIQUE / statmount's mnt_id: never reused while the machine runs. */
    uniqueMountId: number;
    /** Where it is mounted, relative to this process's root; the bytes as they are (no escapes). */
    mountPoint: string;
    /** The filesystem's own options as mountinfo's super options show them, escaped the same way, without the leading rw/ro. Empty when it has none, and always before Linux 6.11 (no STATMOUNT_MNT_OPTS). */
    options: string;
    /** MOUNT_ATTR_RDONLY: this mount (not necessarily its superblock) is read-only. */
    readonly: boolean;
  }

  /** What examinePaths found. */
  export interface ExaminedPaths {
    /** One entry per path, as openPaths gives them: each fd open unless errno is set; the caller closes them. */
    probes: PathProbe[];
    /** Up to listMax names of the dir at listIndex, read through its fd; absent when there was nothing to list or listing failed. */
    listing?: string[];
    /** Why listing failed (positive errno), and where: 'openat' or 'getdents64'. */
    listErrno?: number;
    listSyscall?: string;
    /** Every mount (reachable from this process's root) whose superblock has the asked magic; absent when none was asked or they could not be listed. */
    mounts?: MountOfType[];
    /** Why mounts could not be listed: ENOSYS before Linux 6.8 (no listmount/statmount). */
    mountsErrno?: number;
  }

  /**
   * What examineAndMount expects to find before it mounts, as plain data: comparisons, no
   * policy. Every path must have been opened (errno 0) in any case. Absent fields expect nothing.
   */
  export interface MountExpectations {
    /** S_IFMT bits every path must have (e.g. S_IFDIR). */
    fileType?: number;
    /** Each path's canonical path (PathProbe.realpath) is the path as given, byte for byte. */
    canonical?: boolean;
    /** No two paths are one inode (devMajor, devMinor, ino). */
    distinct?: boolean;
    /** Pairs of indices into `paths` that must be on one mount (PathProbe.mountId). */
    sameMount?: Array<[number, number]>;
    /** The listing was made (listIndex ≥ 0, listed without error) and holds only these names. */
    listingOnly?: PathLike[];
    /**
     * The mounts of type `mountsOfType` were listed, each with its options, and no mount's options
     * hold any `text`. An occurrence followed by a byte of `unlessNext` does not count. An empty
     * `text` matches any mount: "no such mount at all".
     */
    optionsExclude?: Array<{ text: string | Buffer; unlessNext?: string | Buffer }>;
  }

  /** examineAndMount's mount: a new-API plan ('opened' params allowed), or mountLegacy's arguments. */
  export type ConditionalMount =
    | { plan: FsMountPlan; legacy?: undefined }
    | { plan?: undefined; legacy: { source: PathLike | null; target: PathLike; fstype: string | null; flags: number; data: string | Buffer | null; refuseReadonly: boolean } };

  /** What examineAndMount did: mounted (every fd it opened is closed), or found an expectation unmet. */
  export type ExamineAndMountResult =
    | { mounted: FsMountResult; unmet?: undefined }
    | (ExaminedPaths & {
        mounted?: undefined;
        /** The first expectation that did not hold, in a few words ("paths[2]: file type"). Nothing was mounted; the probes' fds are open, the caller closes them. */
        unmet: string;
      });

  export interface StatfsResult {
    /** f_type, e.g. OVERLAYFS_SUPER_MAGIC. */
    type: number;
    /** f_flags (ST_RDONLY, ST_NOSUID, ...), without the ST_VALID bit. */
    flags: number;
  }

  /** Options of {@link NativeBinding.scanDir}. */
  export interface ScanDirOptions {
    /**
     * Namespace of the overlay xattrs to read, with its trailing dot: 'trusted.overlay.' (the
     * default of overlayfs, needs CAP_SYS_ADMIN to see) or 'user.overlay.' (mounts with
     * 'userxattr'). Used as given.
     */
    xattrPrefix: string;
    /**
     * Read the xattrs of directories and regular files (default true): one listxattr per such
     * entry, plus one getxattr each for <prefix>opaque and <prefix>redirect when listed. When
     * false, `flags` holds only SCAN_WHITEOUT_CHARDEV and `redirect` is all holes.
     */
    xattrs?: boolean;
    /** readlink every symlink into `linkTarget` (default false). */
    readlinks?: boolean;
    /**
     * statx every entry (default true). false: only directories, character devices and entries
     * of unknown type are examined (and only directories get xattrs); every other entry keeps
     * the type getdents64 reported — `mode` holds just the S_IFMT bits, the other columns are 0.
     * What a diff of names and types needs (changes()), at getdents64 cost.
     */
    stat?: boolean;
    /**
     * Return entries in byte order of their names (strcmp on the raw bytes) instead of the
     * unspecified (inode) order (default false). Entries are then also examined in that order,
     * which forgoes the inode-order locality statx benefits from: meant for `stat: false`
     * reads, where almost nothing is examined. Ignored by scanNames (its order is the caller's).
     */
    sorted?: boolean;
    /**
     * scanDirs only, for the layer dirs of one merged dir (top first): examine in full every
     * entry whose name no earlier path of the call holds — the entry that decides that name —
     * and the others as `stat` says. Default false.
     */
    cascade?: boolean;
    /**
     * scanDir only: `path` is relative to this dir (the root of a layer) and opened beneath it
     * with no symlink on the way (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
     * ELOOP: a symlink in the way, EXDEV: the path leaves the root). Entries are then examined
     * through that dir fd only.
     */
    beneath?: PathLike;
    /**
     * scanDir only: read every xattr (name and value, overlay's own included) of directories
     * and regular files into `xattrs`, in the same pass as the stat (needs `xattrs` not false).
     * Default false.
     */
    allXattrs?: boolean;
  }

  /**
   * One directory as struct-of-arrays: entry i is names[i], mode[i], size[i], ... No object per
   * entry is built (that is the cost this call avoids). '.' and '..' are left out; the order is
   * unspecified (inode order for big directories) unless `sorted` was asked for. The numeric columns are views of one
   * ArrayBuffer. Every field is lstat-like: symlinks are not followed.
   */
  export interface DirScan {
    /** Number of entries returned (the length of every column). */
    count: number;
    /**
     * Entry names, decoded as UTF-8: bytes that are not valid UTF-8 become U+FFFD, so such a
     * name cannot be used to reach the entry again (compare with listDir, or walk with Buffers).
     */
    names: string[];
    /** st_mode: file type (S_IFMT bits) and permission bits. */
    mode: Uint32Array;
    /** st_size in bytes (exact below 2^53). For a symlink, the length of its target. */
    size: Float64Array;
    /** mtime in ms with the sub-ms fraction, computed as Node computes Stats.mtimeMs (equal to it). */
    mtimeMs: Float64Array;
    /** The nanosecond part of mtime, 0..999999999 (tools such as podman compare seconds and ns apart). */
    mtimeNs: Uint32Array;
    /** Whole seconds of mtime (tv_sec; negative before 1970). */
    mtimeSec: Float64Array;
    /** Inode number, as a double: exact below 2^53. */
    ino: Float64Array;
    /** Hard link count. */
    nlink: Uint32Array;
    /**
     * scanNames only: entry i is names[request[i]] of the call's `names` argument (names that
     * could not be examined leave gaps), so a caller can map results back without a name index.
     */
    request?: Uint32Array;
    uid: Uint32Array;
    gid: Uint32Array;
    /** Device number of character and block devices (0 otherwise). */
    rdevMajor: Uint32Array;
    rdevMinor: Uint32Array;
    /**
     * SCAN_* bits (see {@link Constants}):
     * - SCAN_WHITEOUT_CHARDEV (1): a character device 0/0 (an overlayfs whiteout by itself)
     * - SCAN_XATTR_WHITEOUT (2): a regular file of size 0 carrying <prefix>whiteout
     * - SCAN_OPAQUE (4): <prefix>opaque is exactly "y"
     * - SCAN_OPAQUE_X (8): <prefix>opaque is exactly "x" (a directory that may hold xattr whiteouts)
     * - SCAN_REDIRECT (16): <prefix>redirect is present; its value is in `redirect`
     * - SCAN_METACOPY (32): <prefix>metacopy is present (whatever its value)
     * - SCAN_HAS_XATTRS (64): the entry has at least one xattr of any namespace (that this
     *   process may list)
     * - SCAN_FULL (128): the entry was examined in full (statx, and xattrs for dirs and regular
     *   files): always with `stat: true`; with `stat: false` for dirs, char devices and what
     *   `cascade` picked
     * Xattrs are only read on directories and regular files; a filesystem without xattr support
     * (ENOTSUP) just gives no bits.
     */
    flags: Uint8Array;
    /**
     * Value of <prefix>redirect (UTF-8 decoded, like names) where SCAN_REDIRECT is set,
     * directories and files alike; a hole (reads as undefined) elsewhere.
     */
    redirect: (string | undefined)[];
    /** Only with opts.readlinks: the target of each symlink (UTF-8 decoded); a hole elsewhere. */
    linkTarget?: (string | undefined)[];
    /** Only with opts.allXattrs: every xattr of entry i in listxattr order, where it has any; a hole elsewhere. */
    xattrs?: (Array<[string, Buffer]> | undefined)[];
    /**
     * Entries getdents64 listed but that could not be examined, and are left out: most often
     * removed between the listing and statx; also a statx, listxattr, getxattr or readlink
     * failure other than "no xattrs here" (ENOTSUP, ENODATA). 0 on a quiet directory.
     */
    errors: number;
  }

  /** A path scanDirs could not read. */
  export interface ScanFailure {
    errno: number;
    code: string;
    syscall: string;
  }

  /** One inotify event, as read(2) returned it. */
  export interface InotifyEvent {
    /** Watch descriptor returned by add(); -1 for IN_Q_OVERFLOW. */
    wd: number;
    /** IN_* bits: the event, plus IN_ISDIR, IN_IGNORED, IN_UNMOUNT, IN_Q_OVERFLOW as they apply. */
    mask: number;
    /** Non-zero and shared by the IN_MOVED_FROM and IN_MOVED_TO halves of one rename; 0 otherwise. */
    cookie: number;
    /** Name of the entry inside a watched directory ('' for an event on the watched path itself). UTF-8 decoded: invalid bytes become U+FFFD. */
    name: string;
  }

  /**
   * An inotify instance (inotify_init1 IN_NONBLOCK|IN_CLOEXEC) polled in Node's event loop.
   * Every readable wakeup reads the fd until EAGAIN (at most 4 MiB per wakeup) and calls
   * onEvents ONCE with all events read, in kernel order, on the JS thread. An exception thrown
   * by onEvents goes to 'uncaughtException', like one thrown by an fs.watch listener.
   * An open watcher is not garbage collected (as with fs.watch): call close().
   */
  export interface InotifyWatcher {
    /** inotify_add_watch(2): the watch descriptor (the same one again for a path already watched). Errors: syscall 'inotify_add_watch', path; EBADF after close(). */
    add(path: PathLike, mask: number): number;
    /** inotify_rm_watch(2). EINVAL (wd unknown or already gone) is ignored; a no-op after close(). Other errors: syscall 'inotify_rm_watch'. */
    remove(wd: number): void;
    /** Stops polling and closes the fd (removing every watch). Idempotent; onEvents is never called after it returns. */
    close(): void;
    /** Make the watcher keep the event loop (the process) alive, as it does from the start. */
    ref(): void;
    /** Let the process exit although the watcher is open. */
    unref(): void;
  }

  export interface InotifyWatcherConstructor {
    /** Throws a TypeError when onEvents is not a function, a NativeError (syscall 'inotify_init1') when no inotify instance can be made (EMFILE: fs.inotify.max_user_instances). */
    new (onEvents: (events: InotifyEvent[]) => void): InotifyWatcher;
    readonly prototype: InotifyWatcher;
  }

  /**
   * Frozen. Besides the names below it carries every MS_*, MNT_*, MOUNT_ATTR_* (incl. _ATIME,
   * IDMAP), FSOPEN_*, FSPICK_*, FSMOUNT_*, FSCONFIG_* (incl. CMD_CREATE_EXCL), MOVE_MOUNT_*,
   * OPEN_TREE_*, AT_* (SYMLINK_NOFOLLOW, EMPTY_PATH, RECURSIVE), S_IF*, XATTR_*, ST_* flag,
   * every IN_* inotify bit (also IN_CLOSE, IN_MOVE, IN_MASK_CREATE), the SCAN_* bits of
   * DirScan.flags and a few f_type magics (TMPFS_MAGIC, EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC,
   * BTRFS_SUPER_MAGIC).
   */
  export interface Constants {
    readonly [name: string]: number;
    readonly MS_RDONLY: number; readonly MS_NOSUID: number; readonly MS_NODEV: number; readonly MS_NOEXEC: number;
    readonly MS_REMOUNT: number; readonly MS_BIND: number; readonly MS_MOVE: number; readonly MS_REC: number;
    readonly MS_PRIVATE: number; readonly MS_SLAVE: number; readonly MS_SHARED: number; readonly MS_SILENT: number;
    readonly MS_NOATIME: number; readonly MS_NODIRATIME: number; readonly MS_RELATIME: number; readonly MS_STRICTATIME: number;
    readonly MNT_FORCE: number; readonly MNT_DETACH: number; readonly MNT_EXPIRE: number; readonly UMOUNT_NOFOLLOW: number;
    readonly MOUNT_ATTR_RDONLY: number; readonly MOUNT_ATTR_NOSUID: number; readonly MOUNT_ATTR_NODEV: number;
    readonly MOUNT_ATTR_NOEXEC: number; readonly MOUNT_ATTR_RELATIME: number; readonly MOUNT_ATTR_NOATIME: number;
    readonly MOUNT_ATTR_STRICTATIME: number; readonly MOUNT_ATTR_NODIRATIME: number; readonly MOUNT_ATTR_NOSYMFOLLOW: number;
    readonly FSOPEN_CLOEXEC: number; readonly FSMOUNT_CLOEXEC: number;
    readonly FSCONFIG_SET_FLAG: number; readonly FSCONFIG_SET_STRING: number; readonly FSCONFIG_SET_BINARY: number;
    readonly FSCONFIG_SET_PATH: number; readonly FSCONFIG_SET_PATH_EMPTY: number; readonly FSCONFIG_SET_FD: number;
    readonly FSCONFIG_CMD_CREATE: number; readonly FSCONFIG_CMD_RECONFIGURE: number;
    readonly MOVE_MOUNT_F_EMPTY_PATH: number; readonly AT_FDCWD: number;
    readonly S_IFMT: number; readonly S_IFREG: number; readonly S_IFDIR: number; readonly S_IFLNK: number;
    readonly S_IFCHR: number; readonly S_IFBLK: number; readonly S_IFIFO: number; readonly S_IFSOCK: number;
    readonly XATTR_CREATE: number; readonly XATTR_REPLACE: number;
    readonly ST_RDONLY: number; readonly OVERLAYFS_SUPER_MAGIC: number;
    /** DirScan.flags bits: 1, 2, 4, 8, 16, 32, 64, 128. */
    readonly SCAN_WHITEOUT_CHARDEV: number; readonly SCAN_XATTR_WHITEOUT: number; readonly SCAN_OPAQUE: number;
    readonly SCAN_OPAQUE_X: number; readonly SCAN_REDIRECT: number; readonly SCAN_METACOPY: number;
    readonly SCAN_HAS_XATTRS: number;
    readonly SCAN_FULL: number;
    /** inotify(7) bits (IN_ONESHOT is 2^31, positive). */
    readonly IN_ACCESS: number; readonly IN_MODIFY: number; readonly IN_ATTRIB: number; readonly IN_CLOSE_WRITE: number;
    readonly IN_CLOSE_NOWRITE: number; readonly IN_CLOSE: number; readonly IN_OPEN: number; readonly IN_MOVED_FROM: number;
    readonly IN_MOVED_TO: number; readonly IN_MOVE: number; readonly IN_CREATE: number; readonly IN_DELETE: number;
    readonly IN_DELETE_SELF: number; readonly IN_MOVE_SELF: number; readonly IN_UNMOUNT: number; readonly IN_Q_OVERFLOW: number;
    readonly IN_IGNORED: number; readonly IN_ONLYDIR: number; readonly IN_DONT_FOLLOW: number; readonly IN_EXCL_UNLINK: number;
    readonly IN_MASK_CREATE: number; readonly IN_MASK_ADD: number; readonly IN_ISDIR: number; readonly IN_ONESHOT: number;
    readonly IN_ALL_EVENTS: number;
    /** sysconf(_SC_PAGESIZE): mount(2) reads at most this many bytes of option data, minus the NUL. */
    readonly PAGE_SIZE: number;
  }

  export interface NativeBinding {
    readonly constants: Constants;

    /** mount(2). `data` is passed as given (no escaping). Errors carry path = target. */
    mount(source: PathLike | null, target: PathLike, fstype: string | null, flags: number, data: string | Buffer | null): void;
    mountAsync(source: PathLike | null, target: PathLike, fstype: string | null, flags: number, data: string | Buffer | null): Promise<void>;
    /**
     * mount(2), then what only the mounted filesystem can tell, in one call: with
     * `refuseReadonly` (and no MS_RDONLY asked), statfs of the target, and a read-only result
     * is unmounted again and fails with EROFS, step 'verify', syscall 'mount'; then the ids of
     * the mount now in front of the target (statx). A failure past mount(2) leaves nothing
     * mounted (step 'verify'; syscall 'statfs', 'statx' or 'mount').
     */
    mountLegacy(source: PathLike | null, target: PathLike, fstype: string | null, flags: number, data: string | Buffer | null, refuseReadonly: boolean): FsMountResult;
    mountLegacyAsync(source: PathLike | null, target: PathLike, fstype: string | null, flags: number, data: string | Buffer | null, refuseReadonly: boolean): Promise<FsMountResult>;
    /** umount2(2). */
    umount2(target: PathLike, flags: number): void;
    umount2Async(target: PathLike, flags: number): Promise<void>;
    /**
     * umount2(target, flags) only if the mount in front of target has the id `id` (statx
     * STATX_MNT_ID_UNIQUE when `unique`, else STATX_MNT_ID), statx and umount2 back to back in
     * one call. Otherwise nothing is unmounted and the result says what stands there: the front
     * mount's id and the id of the mount the target's parent dir is on (equal: nothing mounted).
     * Errors: those of umount2 (syscall 'umount2', path).
     */
    umountIf(target: PathLike, id: number, unique: boolean, flags: number): UmountIfResult;
    umountIfAsync(target: PathLike, id: number, unique: boolean, flags: number): Promise<UmountIfResult>;
    /** mknod(2) with makedev(major, minor). */
    mknod(path: PathLike, mode: number, major: number, minor: number): void;
    mknodAsync(path: PathLike, mode: number, major: number, minor: number): Promise<void>;

    /** lgetxattr(2); throws ENODATA when the attribute is absent. */
    lgetxattr(path: PathLike, name: string): Buffer;
    lgetxattrAsync(path: PathLike, name: string): Promise<Buffer>;
    lsetxattr(path: PathLike, name: string, value: string | Buffer, flags: number): void;
    lsetxattrAsync(path: PathLike, name: string, value: string | Buffer, flags: number): Promise<void>;
    llistxattr(path: PathLike): string[];
    llistxattrAsync(path: PathLike): Promise<string[]>;
    lremovexattr(path: PathLike, name: string): void;
    lremovexattrAsync(path: PathLike, name: string): Promise<void>;

    /** The new mount API, one syscall each. fds are plain numbers; close them with close(). */
    fsopen(fstype: string, flags: number): number;
    /**
     * fsconfig(2); `value` is a string/Buffer for SET_STRING/SET_BINARY/SET_PATH, null otherwise. On failure the error
     * carries the fs_context log, `key`, and `path` = value for SET_STRING/SET_PATH/SET_PATH_EMPTY.
     * For SET_BINARY `aux` is ignored and the value's byte length is passed, so the kernel never reads past it.
     */
    fsconfig(fd: number, cmd: number, key: string | null, value: string | Buffer | null, aux: number): void;
    fsconfigAsync(fd: number, cmd: number, key: string | null, value: string | Buffer | null, aux: number): Promise<void>;
    fsmount(fd: number, flags: number, attrs: number): number;
    fsmountAsync(fd: number, flags: number, attrs: number): Promise<number>;
    /** move_mount(2). Errors carry path = fromPath, dest = toPath. */
    moveMount(fromDfd: number, fromPath: PathLike, toDfd: number, toPath: PathLike, flags: number): void;
    moveMountAsync(fromDfd: number, fromPath: PathLike, toDfd: number, toPath: PathLike, flags: number): Promise<void>;
    /** Drains the fs_context log of an fsopen fd: one string per message ("e overlay: ..."). */
    readFsLog(fd: number): string[];
    close(fd: number): void;

    /** fsopen + one fsconfig per param + CMD_CREATE + fsmount + (verify) + move_mount, all fds closed on every path. */
    fsmountPlan(plan: FsMountPlan): FsMountResult;
    fsmountPlanAsync(plan: FsMountPlan): Promise<FsMountResult>;

    /** statx (following symlinks) of every path in one call; never throws for a path, reports errno per entry. */
    probePaths(paths: PathLike[], withRealpath: boolean): PathProbe[];
    probePathsAsync(paths: PathLike[], withRealpath: boolean): Promise<PathProbe[]>;
    /**
     * Open every path once (O_PATH|O_CLOEXEC, following symlinks) and describe what was opened:
     * statx on the fd and the kernel's canonical path (readlink of /proc/self/fd/N, always set).
     * Passing these fds on to fsconfig (FSCONFIG_SET_FD) mounts exactly what was checked.
     * Never throws for a path: a failed entry has errno and no fd.
     */
    openPaths(paths: PathLike[]): PathProbe[];
    openPathsAsync(paths: PathLike[]): Promise<PathProbe[]>;
    /**
     * Everything a mount's checks look at, in one call (one thread hop when async): openPaths
     * of `paths`; up to `listMax` names of the dir `paths[listIndex]`, listed through the fd
     * just opened (-1: none); and every mount whose superblock magic is `mountsOfType` (0:
     * none), by listmount(2) + statmount(2). Mounts of other types are remembered by unique id
     * and not asked again. Never throws for a path or a listing: failures are fields.
     */
    examinePaths(paths: PathLike[], listIndex: number, listMax: number, mountsOfType: number): ExaminedPaths;
    examinePathsAsync(paths: PathLike[], listIndex: number, listMax: number, mountsOfType: number): Promise<ExaminedPaths>;
    /**
     * examinePaths, then — only if every expectation holds — the mount (fsmountPlan with
     * `mount.plan`, whose 'opened' params get the fds just examined, or mountLegacy with
     * `mount.legacy`), in one call: one thread hop for a whole checked mount (umountIf is its
     * unmount twin). When an expectation fails nothing is mounted and the facts come back as
     * examinePaths gives them, fds open, with `unmet`. Errors: those of fsmountPlan/mountLegacy,
     * with every fd closed and nothing mounted.
     */
    examineAndMount(paths: PathLike[], listIndex: number, listMax: number, mountsOfType: number, expect: MountExpectations, mount: ConditionalMount): ExamineAndMountResult;
    examineAndMountAsync(paths: PathLike[], listIndex: number, listMax: number, mountsOfType: number, expect: MountExpectations, mount: ConditionalMount): Promise<ExamineAndMountResult>;
    /**
     * The comparison examineAndMount makes, alone, over facts given as data (as examinePaths
     * gives them; fds ignored): '' when every expectation holds, else the first that does not.
     * No syscall, so no async form. For tests and tools that must agree with examineAndMount.
     */
    checkExpectations(paths: PathLike[], facts: ExaminedPaths, expect: MountExpectations): string;
    /** Up to `max` entry names of a directory (readdir order), without '.' and '..'. `max` may be Infinity. Errors: syscall 'opendir' or 'readdir'. */
    /**
     * Read a file of a layer dir that other processes may change meanwhile: `rel` is opened
     * beneath the dir `root` with no symlinks anywhere on the way (openat2 RESOLVE_BENEATH |
     * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, O_NOFOLLOW | O_NONBLOCK), fstat'ed, and up to
     * `length` bytes at `offset` read only when it is a regular file (`data` is empty for
     * anything else: the caller checks `mode`). With `link`, `rel` names a symlink whose target
     * comes back in `link`. Errors: syscall 'openat2' (or 'readlinkat'), path = root, dest = rel;
     * ELOOP for a symlink in the way, EXDEV for a path leaving root.
     */
    readBeneath(root: PathLike, rel: PathLike, offset: number, length: number, link?: boolean): BeneathRead;
    readBeneathAsync(root: PathLike, rel: PathLike, offset: number, length: number, link?: boolean): Promise<BeneathRead>;
    /**
     * What the entry `rel` of the dir `root` is, looked at as readBeneath opens (beneath root,
     * no symlinks on the way, the last component not followed): its stat fields and, for a
     * regular file or a dir, every xattr. Errors: syscall 'openat2', path = root, dest = rel.
     */
    statBeneath(root: PathLike, rel: PathLike): BeneathStat;
    statBeneathAsync(root: PathLike, rel: PathLike): Promise<BeneathStat>;
    /**
     * Open a lock file read-only (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) and take a read
     * lock on the whole file of the kind its owner's writers use: 'record' = a POSIX record
     * lock (fcntl F_RDLCK, taken as an open file description lock, F_OFD_SETLKW: it conflicts
     * with classic fcntl/lockf write locks such as containers/storage's, and no other fd of the
     * file closed in this process drops it); 'flock' = flock(LOCK_SH), as bbolt's writers take
     * LOCK_EX. With `wait` false a held write lock fails at once (EAGAIN / EWOULDBLOCK) instead
     * of waiting. Returns the fd; close(fd) releases the lock. Errors: syscall 'open', 'fcntl'
     * or 'flock', path.
     */
    openReadLocked(path: PathLike, kind: 'record' | 'flock', wait?: boolean): number;
    openReadLockedAsync(path: PathLike, kind: 'record' | 'flock', wait?: boolean): Promise<number>;
    /**
     * Write a batch of entries beneath the dir `root`, in order, never through a symlink: each
     * entry's parent is opened beneath root with no symlinks on the way (openat2
     * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) and the last component is
     * made relative to it without being followed. What stands at a name is replaced (a dir
     * only by a non-dir). Returns the number of entries written. Errors: the failing entry's
     * syscall, path = root, dest = its rel, paramIndex = its index (earlier entries stay written).
     */
    writeBeneath(root: PathLike, entries: WriteBeneathEntry[]): number;
    writeBeneathAsync(root: PathLike, entries: WriteBeneathEntry[]): Promise<number>;
    /**
     * statBeneath for many entries of one root in one call (one thread hop when async); for each
     * regular file of at most `inlineMax` bytes (and never over 64 MiB) also its content (read through the fd that was
     * stat'ed: the same inode), and for each symlink its target, in `data`. Per-entry failures
     * (ELOOP for a symlink on the way, EXDEV, ENOENT) come back as `errno`, not thrown.
     */
    statManyBeneath(root: PathLike, rels: PathLike[], inlineMax: number): BeneathEntry[];
    statManyBeneathAsync(root: PathLike, rels: PathLike[], inlineMax: number): Promise<BeneathEntry[]>;
    /**
     * Write a byte stream to the fd `out` (at its offset; -1: return it as `data`) with the
     * content of files spliced in, and sha256 it as it goes: `bytes` up to the first file's
     * `at`, that file's range, `bytes` on to the next file's `at`, ... and the rest of `bytes`.
     * `layout` holds 6 numbers for each of `rels`: at (offset into `bytes`, non-decreasing),
     * root (index into `roots`), ino (the inode it must be; 0: any), size (what the whole file
     * must measure, when opened and after reading), offset and length (the range copied,
     * within size). Each file is opened as readBeneath opens (beneath its root, no symlinks on
     * the way, O_NOFOLLOW | O_NONBLOCK) and checked with fstat before a byte is read; a file
     * that is not as described ends the stream (`stopped`, not thrown). The hashing runs on a
     * second thread, overlapping the copy. `hashState`: null to start a hash, or the one the
     * previous call returned, or a StreamHash (createStreamHash) that hashes every call made
     * with it. Errors: syscall 'open' (a root; path), 'write'; ECANCELED with a StreamHash
     * whose earlier call stopped or failed (nothing written).
     */
    streamBeneath(out: number, roots: PathLike[], bytes: Buffer, layout: Float64Array, rels: PathLike[], hashState: Buffer | null | StreamHash): StreamBeneathResult;
    streamBeneathAsync(out: number, roots: PathLike[], bytes: Buffer, layout: Float64Array, rels: PathLike[], hashState: Buffer | null | StreamHash): Promise<StreamBeneathResult>;
    /**
     * A sha256 for a stream made by many streamBeneath calls (pass it as their `hashState`),
     * hashed on a thread of its own that outlives each call: a call returns once its bytes are
     * written, the hash catching up meanwhile, so no call waits for the hash of the one before
     * (the results then carry no hashState nor digest: ask streamHashDigest). Calls made with it
     * run one at a time in the order they were made, so the next may be made before the one
     * before has returned; once one stops or fails, the later ones write nothing (ECANCELED).
     * Its thread and 4 MiB of buffers are taken by the first call and given back by
     * streamHashDigest (a call after that takes them again).
     */
    createStreamHash(): StreamHash;
    createStreamHashAsync(): Promise<StreamHash>;
    /** The sha256 of every byte streamed through `hash` so far (waits until they are hashed, then ends its thread), and its state. */
    streamHashDigest(hash: StreamHash): { digest: string; hashState: Buffer };
    streamHashDigestAsync(hash: StreamHash): Promise<{ digest: string; hashState: Buffer }>;
    /**
     * The whole content of many small files of one root in one call (one thread hop when async)
     * and one Buffer: an engine's metadata files, which other processes may write. Each `rels[i]`
     * is opened as readBeneath opens it (beneath root, no symlinks anywhere on the way nor at the
     * end, O_NONBLOCK), fstat'ed, and read to its end only when it is a regular file: a FIFO, a
     * device or a dir gives its mode and no bytes. Per-entry failures come back in `errnos`,
     * never thrown: ENOENT, ELOOP (a symlink), EXDEV (leaves root), EFBIG (over `maxEach` bytes,
     * never more than 64 MiB, or past 256 MiB in all: nothing of it kept). Throws only when
     * root cannot be opened: syscall 'open', path = root.
     * `known` (40 bytes an entry: `keys` of a former call, rearranged to these rels; zeros for
     * none): an entry is first opened O_PATH and fstat'ed, and when it is a regular file whose
     * key is what `known` says and whose ctime is well before `keysTakenAtMs` (Date.now() just
     * before the former call: 100 ms before it, 2 s when the ctime is on a whole second, as on
     * a file system keeping seconds only), it is not read (`same[i]` 1): a write within the
     * timestamp tick of that call's fstat leaves the key as it was.
     */
    readManyBeneath(root: PathLike, rels: PathLike[], maxEach: number, known?: Uint8Array, keysTakenAtMs?: number): ManyRead;
    readManyBeneathAsync(root: PathLike, rels: PathLike[], maxEach: number, known?: Uint8Array, keysTakenAtMs?: number): Promise<ManyRead>;
    listDir(path: PathLike, max: number): string[];
    listDirAsync(path: PathLike, max: number): Promise<string[]>;
    /** statfs(2). */
    statfs(path: PathLike): StatfsResult;
    statfsAsync(path: PathLike): Promise<StatfsResult>;

    /**
     * Every entry of one directory with its lstat fields and overlay xattrs, in one call (one
     * thread hop when async): open · getdents64 · per entry statx (no follow) and, for
     * directories and regular files, one listxattr (+ getxattr of opaque/redirect when listed),
     * all relative to the directory fd. Directories of 4,096+ entries are examined by up to 4
     * threads (no more than the CPUs). Entries that vanish meanwhile are counted in `errors`,
     * never thrown. Throws only when the directory itself cannot be read: syscall 'open'
     * (ENOENT, ENOTDIR, EACCES, ...) or 'getdents64', with path.
     */
    scanDir(path: PathLike, opts: ScanDirOptions): DirScan;
    scanDirAsync(path: PathLike, opts: ScanDirOptions): Promise<DirScan>;
    /**
     * Examine only `names` inside the directory `path`, exactly as scanDir examines entries: a
     * lookup of a few names without reading a whole (possibly huge) directory. Names that do
     * not exist there (or hold '/', or are '', '.', '..') are left out and counted in `errors`;
     * the others come out in the order given.
     */
    /**
     * Several directories in one call (one thread hop when async): entry i is the DirScan of
     * paths[i], or { errno, code, syscall } when that path could not be read (missing, not a
     * dir, a symlink loop): the call itself only fails on bad arguments.
     */
    scanDirs(paths: PathLike[], opts: ScanDirOptions): Array<DirScan | ScanFailure>;
    scanDirsAsync(paths: PathLike[], opts: ScanDirOptions): Promise<Array<DirScan | ScanFailure>>;
    scanNames(path: PathLike, names: PathLike[], opts: ScanDirOptions): DirScan;
    scanNamesAsync(path: PathLike, names: PathLike[], opts: ScanDirOptions): Promise<DirScan>;
    /**
     * scanNames for several directories in one call (one thread hop when async): entry i is the
     * DirScan (with `request`) of names[i] inside paths[i], or { errno, code, syscall } when that
     * directory could not be read. `names` must be as long as `paths`.
     */
    scanNamesMany(paths: PathLike[], names: PathLike[][], opts: ScanDirOptions): Array<DirScan | ScanFailure>;
    scanNamesManyAsync(paths: PathLike[], names: PathLike[][], opts: ScanDirOptions): Promise<Array<DirScan | ScanFailure>>;

    /** The inotify watcher class: `new binding.InotifyWatcher(onEvents)`. */
    readonly InotifyWatcher: InotifyWatcherConstructor;
  }
}

declare const binding: binding.NativeBinding;
export = binding;
