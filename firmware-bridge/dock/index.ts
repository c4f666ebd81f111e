/** The dock dialect (dock.xml) and the dock-controller client. */
export * from './dock-messages';
export * from './dock-controller';
export * from './crc-extra';
