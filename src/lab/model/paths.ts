// Registry paths the model and its derivations read (the same ones rdp-checks.md §1 names).
export const TS = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server';
export const WINSTATIONS = `${TS}\\WinStations`;
export const RDP_TCP = `${WINSTATIONS}\\RDP-Tcp`;
export const POLICY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services';
export const SCHANNEL_PROTOCOLS = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols';
export const CRYPTOGRAPHY = 'HKLM:\\SOFTWARE\\Microsoft\\Cryptography';
/** Unexpanded, as the read plan names it (the model keeps file paths as the host reports them). */
export const MACHINE_KEYS = '%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys';
/** The fixed key container hash of the RDP self-signed certificate (file name = hash_MachineGuid). */
export const RDP_KEY_CONTAINER_HASH = 'f686aace6942fb7f7ceb231212eef4a4';
export const RDP_STORE = 'Remote Desktop';
export const RDP_FIREWALL_GROUP = '@FirewallAPI.dll,-28752';
/** Where a machine key file lives, unexpanded, in lookup order (CAPI RSA keys, then CNG keys). */
export const KEY_FILE_DIRS = ['%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys', '%ProgramData%\\Microsoft\\Crypto\\Keys'] as const;
