/* ext4_format.h: every ext4 on-disk structure the writer emits, declared
 * once, with the offsets of ../shared/spec/ext4-writer.md asserted, and the
 * little-endian helpers used to fill them.
 *
 * Values in these structs are always stored little-endian: assign through
 * le16/le32/le64() and read through from_le16/32(). The geometry is fixed
 * (§1): 4 KiB blocks, 32768 blocks per group, 256-byte inodes, 32-byte group
 * descriptors, no 64bit, no metadata_csum. */
#ifndef LCOW_EXT4_FORMAT_H
#define LCOW_EXT4_FORMAT_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/ext4_types.h"

static inline uint16_t le16(uint16_t v) { return htole16(v); }
static inline uint32_t le32(uint32_t v) { return htole32(v); }
static inline uint64_t le64(uint64_t v) { return htole64(v); }
static inline uint16_t from_le16(uint16_t v) { return le16toh(v); }
static inline uint32_t from_le32(uint32_t v) { return le32toh(v); }

/* Unaligned stores into byte buffers. */
static inline void put_le16(uint8_t *p, uint16_t v) { v = le16(v); memcpy(p, &v, 2); }
static inline void put_le32(uint8_t *p, uint32_t v) { v = le32(v); memcpy(p, &v, 4); }
static inline uint16_t get_le16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return from_le16(v); }
static inline uint32_t get_le32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return from_le32(v); }

/* §1 fixed geometry */
#define EXT4_BLOCK_SIZE 4096u
#define EXT4_BLOCK_SHIFT 12
#define EXT4_LOG_BLOCK_SIZE 2u /* 1024 << 2 */
#define EXT4_BLOCKS_PER_GROUP 32768u
#define EXT4_INODE_SIZE 256u
#define EXT4_INODES_PER_BLOCK (EXT4_BLOCK_SIZE / EXT4_INODE_SIZE)
#define EXT4_GOOD_OLD_INODE_SIZE 128u
#define EXT4_EXTRA_ISIZE 24u /* fields through i_crtime_extra */
#define EXT4_DESC_SIZE 32u
#define EXT4_DESCS_PER_BLOCK (EXT4_BLOCK_SIZE / EXT4_DESC_SIZE)
#define EXT4_ROOT_INO 2u
#define EXT4_FIRST_INO 11u /* also lost+found */
#define EXT4_LINK_MAX 65000u
#define EXT4_NAME_MAX 255u
#define EXT4_MAX_EXTENT_LEN 32768u
#define EXT4_FAST_SYMLINK_MAX 59u
#define EXT4_SUPER_MAGIC 0xEF53u

/* §2 feature flags */
#define EXT4_FEATURE_COMPAT_EXT_ATTR 0x0008u
#define EXT4_FEATURE_COMPAT_DIR_INDEX 0x0020u
#define EXT4_FEATURE_COMPAT_SPARSE_SUPER2 0x0200u
#define EXT4_FEATURE_INCOMPAT_FILETYPE 0x0002u
#define EXT4_FEATURE_INCOMPAT_EXTENTS 0x0040u
#define EXT4_FEATURE_INCOMPAT_FLEX_BG 0x0200u
#define EXT4_FEATURE_RO_COMPAT_LARGE_FILE 0x0002u
#define EXT4_FEATURE_RO_COMPAT_HUGE_FILE 0x0008u
#define EXT4_FEATURE_RO_COMPAT_DIR_NLINK 0x0020u
#define EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE 0x0040u
#define EXT4_FEATURE_RO_COMPAT_READONLY 0x1000u

#define EXT4_FLAGS_UNSIGNED_HASH 0x0002u /* s_flags */

/* §7.2 inode flags */
#define EXT4_INDEX_FL 0x00001000u
#define EXT4_HUGE_FILE_FL 0x00040000u
#define EXT4_EXTENTS_FL 0x00080000u


#define EXT4_S_IFMT 0170000u
#define EXT4_S_IFSOCK 0140000u
#define EXT4_S_IFLNK 0120000u
#define EXT4_S_IFREG 0100000u
#define EXT4_S_IFBLK 0060000u
#define EXT4_S_IFDIR 0040000u
#define EXT4_S_IFCHR 0020000u
#define EXT4_S_IFIFO 0010000u

/* §6 superblock, 1024 bytes at byte 1024 of the image. */
struct ext4_superblock {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count_lo;
	uint32_t s_r_blocks_count_lo;
	uint32_t s_free_blocks_count_lo;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_cluster_size;
	uint32_t s_blocks_per_group;
	uint32_t s_clusters_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	uint16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_journal_uuid[16];
	uint32_t s_journal_inum;
	uint32_t s_journal_dev;
	uint32_t s_last_orphan;
	uint32_t s_hash_seed[4];
	uint8_t s_def_hash_version;
	uint8_t s_jnl_backup_type;
	uint16_t s_desc_size;
	uint32_t s_default_mount_opts;
	uint32_t s_first_meta_bg;
	uint32_t s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint32_t s_blocks_count_hi;
	uint32_t s_r_blocks_count_hi;
	uint32_t s_free_blocks_count_hi;
	uint16_t s_min_extra_isize;
	uint16_t s_want_extra_isize;
	uint32_t s_flags;
	uint16_t s_raid_stride;
	uint16_t s_mmp_update_interval;
	uint64_t s_mmp_block;
	uint32_t s_raid_stripe_width;
	uint8_t s_log_groups_per_flex;
	uint8_t s_checksum_type;
	uint8_t s_encryption_level;
	uint8_t s_reserved_pad;
	uint64_t s_kbytes_written;
	uint8_t s_snapshot_and_errors[0x200 - 0x180]; /* snapshot and error-report fields: zero */
	uint8_t s_mount_opts[64];
	uint32_t s_usr_quota_inum;
	uint32_t s_grp_quota_inum;
	uint32_t s_overhead_clusters;
	uint32_t s_backup_bgs[2];
	uint8_t s_encrypt_algos[4];
	uint8_t s_encrypt_pw_salt[16];
	uint32_t s_lpf_ino;
	uint32_t s_prj_quota_inum;
	uint32_t s_checksum_seed;
	uint8_t s_reserved[0x3FC - 0x274];
	uint32_t s_checksum;
} __attribute__((packed));
_Static_assert(sizeof(struct ext4_superblock) == 1024, "superblock is 1024 bytes");
_Static_assert(offsetof(struct ext4_superblock, s_magic) == 0x38, "s_magic");
_Static_assert(offsetof(struct ext4_superblock, s_feature_compat) == 0x5C, "s_feature_compat");
_Static_assert(offsetof(struct ext4_superblock, s_uuid) == 0x68, "s_uuid");
_Static_assert(offsetof(struct ext4_superblock, s_reserved_gdt_blocks) == 0xCE, "s_reserved_gdt_blocks");
_Static_assert(offsetof(struct ext4_superblock, s_hash_seed) == 0xEC, "s_hash_seed");
_Static_assert(offsetof(struct ext4_superblock, s_def_hash_version) == 0xFC, "s_def_hash_version");
_Static_assert(offsetof(struct ext4_superblock, s_mkfs_time) == 0x108, "s_mkfs_time");
_Static_assert(offsetof(struct ext4_superblock, s_min_extra_isize) == 0x15C, "s_min_extra_isize");
_Static_assert(offsetof(struct ext4_superblock, s_flags) == 0x160, "s_flags");
_Static_assert(offsetof(struct ext4_superblock, s_log_groups_per_flex) == 0x174, "s_log_groups_per_flex");
_Static_assert(offsetof(struct ext4_superblock, s_backup_bgs) == 0x24C, "s_backup_bgs");
_Static_assert(offsetof(struct ext4_superblock, s_lpf_ino) == 0x268, "s_lpf_ino");

/* §8.3 group descriptor, 32 bytes. */
struct ext4_group_desc {
	uint32_t bg_block_bitmap_lo;
	uint32_t bg_inode_bitmap_lo;
	uint32_t bg_inode_table_lo;
	uint16_t bg_free_blocks_count_lo;
	uint16_t bg_free_inodes_count_lo;
	uint16_t bg_used_dirs_count_lo;
	uint16_t bg_flags;
	uint32_t bg_exclude_bitmap_lo;
	uint16_t bg_block_bitmap_csum_lo;
	uint16_t bg_inode_bitmap_csum_lo;
	uint16_t bg_itable_unused_lo;
	uint16_t bg_checksum;
} __attribute__((packed));
_Static_assert(sizeof(struct ext4_group_desc) == EXT4_DESC_SIZE, "group descriptor is 32 bytes");

/* §7.1 inode, 256 bytes: 152 bytes of fields, then the in-inode xattr area. */
#define EXT4_INODE_XATTR_OFFSET (EXT4_GOOD_OLD_INODE_SIZE + EXT4_EXTRA_ISIZE)
#define EXT4_INODE_XATTR_AREA (EXT4_INODE_SIZE - EXT4_INODE_XATTR_OFFSET)
struct ext4_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size_lo;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks_lo;
	uint32_t i_flags;
	uint32_t i_version_lo;
	uint8_t i_block[60];
	uint32_t i_generation;
	uint32_t i_file_acl_lo;
	uint32_t i_size_high;
	uint32_t i_obso_faddr;
	uint16_t i_blocks_high;
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint16_t i_checksum_lo;
	uint16_t i_reserved;
	uint16_t i_extra_isize;
	uint16_t i_checksum_hi;
	uint32_t i_ctime_extra;
	uint32_t i_mtime_extra;
	uint32_t i_atime_extra;
	uint32_t i_crtime;
	uint32_t i_crtime_extra;
	uint8_t i_xattr_area[EXT4_INODE_XATTR_AREA];
} __attribute__((packed));
_Static_assert(sizeof(struct ext4_inode) == EXT4_INODE_SIZE, "inode is 256 bytes");
_Static_assert(offsetof(struct ext4_inode, i_block) == 0x28, "i_block");
_Static_assert(offsetof(struct ext4_inode, i_file_acl_lo) == 0x68, "i_file_acl_lo");
_Static_assert(offsetof(struct ext4_inode, i_uid_high) == 0x78, "i_uid_high");
_Static_assert(offsetof(struct ext4_inode, i_extra_isize) == 0x80, "i_extra_isize");
_Static_assert(offsetof(struct ext4_inode, i_crtime_extra) == 0x94, "i_crtime_extra");
_Static_assert(offsetof(struct ext4_inode, i_xattr_area) == 0x98, "xattr area");

/* §9.1 extent tree nodes, 12-byte records. */
#define EXT4_EXT_MAGIC 0xF30Au
struct ext4_extent_header {
	uint16_t eh_magic;
	uint16_t eh_entries;
	uint16_t eh_max;
	uint16_t eh_depth;
	uint32_t eh_generation;
} __attribute__((packed));
struct ext4_extent {
	uint32_t ee_block;
	uint16_t ee_len;
	uint16_t ee_start_hi;
	uint32_t ee_start_lo;
} __attribute__((packed));
struct ext4_extent_idx {
	uint32_t ei_block;
	uint32_t ei_leaf_lo;
	uint16_t ei_leaf_hi;
	uint16_t ei_unused;
} __attribute__((packed));
_Static_assert(sizeof(struct ext4_extent_header) == 12, "extent header");
_Static_assert(sizeof(struct ext4_extent) == 12, "extent");
_Static_assert(sizeof(struct ext4_extent_idx) == 12, "extent index");
#define EXT4_EXTENTS_IN_INODE 4u
#define EXT4_EXTENTS_PER_BLOCK ((EXT4_BLOCK_SIZE - 12u) / 12u) /* 340 */

/* §10.1 directory entry header; the name follows, padded to 4. */
struct ext4_dir_entry {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;
} __attribute__((packed));
_Static_assert(sizeof(struct ext4_dir_entry) == 8, "directory entry header");

/* §10.3 hashed directory index. */
struct ext4_dx_root_info {
	uint32_t reserved_zero;
	uint8_t hash_version;
	uint8_t info_length; /* 8 */
	uint8_t indirect_levels;
	uint8_t unused_flags;
} __attribute__((packed));
struct ext4_dx_entry {
	uint32_t hash;
	uint32_t block;
} __attribute__((packed));
_Static_assert(sizeof(struct ext4_dx_root_info) == 8, "dx_root_info");
_Static_assert(sizeof(struct ext4_dx_entry) == 8, "dx_entry");
#define EXT4_DX_ROOT_ENTRIES_OFFSET 0x20u
#define EXT4_DX_ROOT_LIMIT ((EXT4_BLOCK_SIZE - EXT4_DX_ROOT_ENTRIES_OFFSET) / 8u) /* 508 */
#define EXT4_DX_NODE_LIMIT ((EXT4_BLOCK_SIZE - 8u) / 8u)                          /* 511 */
#define EXT4_HASH_HALF_MD4 1u
#define EXT4_HASH_TEA 2u

/* §14 extended attributes. */
#define EXT4_XATTR_MAGIC 0xEA020000u
struct ext4_xattr_header {
	uint32_t h_magic;
	uint32_t h_refcount;
	uint32_t h_blocks;
	uint32_t h_hash;
	uint32_t h_checksum;
	uint32_t h_reserved[3];
} __attribute__((packed));
struct ext4_xattr_entry {
	uint8_t e_name_len;
	uint8_t e_name_index;
	uint16_t e_value_offs;
	uint32_t e_value_inum;
	uint32_t e_value_size;
	uint32_t e_hash;
} __attribute__((packed));
_Static_assert(sizeof(struct ext4_xattr_header) == 32, "xattr block header");
_Static_assert(sizeof(struct ext4_xattr_entry) == 16, "xattr entry");

/* §14.6 POSIX ACLs: the VFS xattr form (version 2) and ext4's (version 1). */
#define POSIX_ACL_XATTR_VERSION 2u
#define EXT4_ACL_VERSION 1u
#define ACL_USER_OBJ 0x01u
#define ACL_USER 0x02u
#define ACL_GROUP_OBJ 0x04u
#define ACL_GROUP 0x08u
#define ACL_MASK 0x10u
#define ACL_OTHER 0x20u

static inline uint64_t ext4_div_round_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
static inline uint32_t ext4_round4(uint32_t n) { return (n + 3u) & ~3u; }

#endif
