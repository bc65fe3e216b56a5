// The UI5 controls the shell uses, by module (Module Federation shares UI5 per module).

export { FlexBox } from '@ui5/webcomponents-react/dist/components/FlexBox/index.js';
export { ObjectStatus } from '@ui5/webcomponents-react/dist/components/ObjectStatus/index.js';
export { ThemeProvider } from '@ui5/webcomponents-react/dist/components/ThemeProvider/index.js';
export { Bar } from '@ui5/webcomponents-react/dist/webComponents/Bar/index.js';
export { BusyIndicator } from '@ui5/webcomponents-react/dist/webComponents/BusyIndicator/index.js';
export { Button } from '@ui5/webcomponents-react/dist/webComponents/Button/index.js';
export { Card } from '@ui5/webcomponents-react/dist/webComponents/Card/index.js';
export { CardHeader } from '@ui5/webcomponents-react/dist/webComponents/CardHeader/index.js';
export { Dialog } from '@ui5/webcomponents-react/dist/webComponents/Dialog/index.js';
export { Label } from '@ui5/webcomponents-react/dist/webComponents/Label/index.js';
export { MessageStrip } from '@ui5/webcomponents-react/dist/webComponents/MessageStrip/index.js';
export { Option } from '@ui5/webcomponents-react/dist/webComponents/Option/index.js';
export { Select } from '@ui5/webcomponents-react/dist/webComponents/Select/index.js';
export { ShellBar } from '@ui5/webcomponents-react/dist/webComponents/ShellBar/index.js';
export { ShellBarItem } from '@ui5/webcomponents-react/dist/webComponents/ShellBarItem/index.js';
export { SideNavigation } from '@ui5/webcomponents-react/dist/webComponents/SideNavigation/index.js';
export { SideNavigationItem } from '@ui5/webcomponents-react/dist/webComponents/SideNavigationItem/index.js';
export { Switch } from '@ui5/webcomponents-react/dist/webComponents/Switch/index.js';
export { Text } from '@ui5/webcomponents-react/dist/webComponents/Text/index.js';
export { Title } from '@ui5/webcomponents-react/dist/webComponents/Title/index.js';
