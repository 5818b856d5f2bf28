/* oci_hresult.h: the HRESULTs the container code returns to the host
 * (gcs-protocol.md §3.3). Kept as uint32_t; the bridge writes them as signed
 * 32-bit decimals. */
#ifndef LCOW_OCI_HRESULT_H
#define LCOW_OCI_HRESULT_H

#include <stdint.h>

#define OCI_HR_OK                    UINT32_C(0x00000000)
#define OCI_HR_E_NOTIMPL             UINT32_C(0x80004001)
#define OCI_HR_E_FAIL                UINT32_C(0x80004005)
#define OCI_HR_E_INVALIDARG          UINT32_C(0x80070057)
#define OCI_HR_NOT_FOUND             UINT32_C(0x80070490) /* process gone */
#define OCI_HR_INVALID_STATE         UINT32_C(0x80370105)
#define OCI_HR_TIMEOUT               UINT32_C(0xC0370109)
#define OCI_HR_INVALID_JSON          UINT32_C(0xC037010D)
#define OCI_HR_SYSTEM_NOT_FOUND      UINT32_C(0xC037010E) /* container */
#define OCI_HR_SYSTEM_EXISTS         UINT32_C(0xC037010F)
#define OCI_HR_SYSTEM_STOPPED        UINT32_C(0xC0370110)

#endif
