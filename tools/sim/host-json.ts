// The JSON shapes the host build returns (kernel/host/*.ts), declared once
// for every test and tool that reads them.

/** acpiDiscoverJson(): what the ACPI walker found (kernel/host/acpi.ts). */
export interface TableJson {
  signature: string;
  phys: string;
  length: number;
  revision: number;
  oemId: string;
  oemTableId: string;
  oemRevision: number;
  checksumOk: boolean;
  copiedLength: number;
  bad: string;
}

export interface BlockJson {
  space: number;
  address: string;
  length: number;
  extended: boolean;
}

export interface FadtJson {
  revision: number;
  length: number;
  dsdt: string;
  facs: string;
  sciInt: number;
  smiCmd: number;
  acpiEnable: number;
  acpiDisable: number;
  pm1aEvtBlk: BlockJson;
  pm1bEvtBlk: BlockJson;
  pm1aCntBlk: BlockJson;
  pm1bCntBlk: BlockJson;
  gpe0Blk: BlockJson;
  gpe1Blk: BlockJson;
  pm1EvtLen: number;
  pm1CntLen: number;
  gpe0BlkLen: number;
  gpe1BlkLen: number;
  gpe1Base: number;
  flags: number;
  hardwareReduced: boolean;
}

export interface MadtJson {
  localApicAddress: string;
  flags: number;
  pcatCompat: boolean;
  localApics: Array<{ processorUid: number; apicId: number; enabled: boolean; onlineCapable: boolean }>;
  ioApics: Array<{ id: number; address: string; gsiBase: number }>;
  overrides: Array<{ bus: number; source: number; gsi: number; flags: number; polarity: string; trigger: string }>;
  nmiEntries: number;
  otherEntries: number;
  complete: boolean;
}

export interface DiscoveryJson {
  rsdp: { phys: string; revision: number; oemId: string; rsdtAddress: string; xsdtAddress: string; length: number } | null;
  root: TableJson | null;
  tables: TableJson[];
  aml: TableJson[];
  facs: TableJson | null;
  fadt: FadtJson | null;
  madt: MadtJson | null;
  errors: Array<{ signature: string; phys: string; reason: string; detail: string }>;
}
