// The UI kit of the browser apps: exactly the UI5 controls, icons and themes the Key Chain and the
// dev shell use. Host and remote share this one module as a singleton (see the root webpack
// config): one copy of UI5 in the page, bundled and minified as a whole, instead of hundreds of
// per-file shared modules or the whole UI5 library.
import './icons.js';

export { FlexBox } from '@ui5/webcomponents-react/dist/components/FlexBox/index.js';
export { ObjectStatus } from '@ui5/webcomponents-react/dist/components/ObjectStatus/index.js';
export { ThemeProvider } from '@ui5/webcomponents-react/dist/components/ThemeProvider/index.js';
export { Bar } from '@ui5/webcomponents-react/dist/webComponents/Bar/index.js';
export { BusyIndicator } from '@ui5/webcomponents-react/dist/webComponents/BusyIndicator/index.js';
export { Button } from '@ui5/webcomponents-react/dist/webComponents/Button/index.js';
export { Card } from '@ui5/webcomponents-react/dist/webComponents/Card/index.js';
export { CardHeader } from '@ui5/webcomponents-react/dist/webComponents/CardHeader/index.js';
export { CheckBox } from '@ui5/webcomponents-react/dist/webComponents/CheckBox/index.js';
export { Dialog } from '@ui5/webcomponents-react/dist/webComponents/Dialog/index.js';
export { Icon } from '@ui5/webcomponents-react/dist/webComponents/Icon/index.js';
export { Input } from '@ui5/webcomponents-react/dist/webComponents/Input/index.js';
export { Label } from '@ui5/webcomponents-react/dist/webComponents/Label/index.js';
export { Link } from '@ui5/webcomponents-react/dist/webComponents/Link/index.js';
export { List } from '@ui5/webcomponents-react/dist/webComponents/List/index.js';
export { ListItemCustom } from '@ui5/webcomponents-react/dist/webComponents/ListItemCustom/index.js';
export { ListItemStandard } from '@ui5/webcomponents-react/dist/webComponents/ListItemStandard/index.js';
export { MessageStrip } from '@ui5/webcomponents-react/dist/webComponents/MessageStrip/index.js';
export { Option } from '@ui5/webcomponents-react/dist/webComponents/Option/index.js';
export { Popover } from '@ui5/webcomponents-react/dist/webComponents/Popover/index.js';
export { ProgressIndicator } from '@ui5/webcomponents-react/dist/webComponents/ProgressIndicator/index.js';
export { RadioButton } from '@ui5/webcomponents-react/dist/webComponents/RadioButton/index.js';
export { ResponsivePopover } from '@ui5/webcomponents-react/dist/webComponents/ResponsivePopover/index.js';
export { SegmentedButton } from '@ui5/webcomponents-react/dist/webComponents/SegmentedButton/index.js';
export { SegmentedButtonItem } from '@ui5/webcomponents-react/dist/webComponents/SegmentedButtonItem/index.js';
export { Select } from '@ui5/webcomponents-react/dist/webComponents/Select/index.js';
export { ShellBar } from '@ui5/webcomponents-react/dist/webComponents/ShellBar/index.js';
export { ShellBarItem } from '@ui5/webcomponents-react/dist/webComponents/ShellBarItem/index.js';
export { SideNavigation } from '@ui5/webcomponents-react/dist/webComponents/SideNavigation/index.js';
export { SideNavigationItem } from '@ui5/webcomponents-react/dist/webComponents/SideNavigationItem/index.js';
export { Switch } from '@ui5/webcomponents-react/dist/webComponents/Switch/index.js';
export { Tab } from '@ui5/webcomponents-react/dist/webComponents/Tab/index.js';
export { TabContainer } from '@ui5/webcomponents-react/dist/webComponents/TabContainer/index.js';
export { Table } from '@ui5/webcomponents-react/dist/webComponents/Table/index.js';
export { TableCell } from '@ui5/webcomponents-react/dist/webComponents/TableCell/index.js';
export { TableGrowing } from '@ui5/webcomponents-react/dist/webComponents/TableGrowing/index.js';
export { TableHeaderCell } from '@ui5/webcomponents-react/dist/webComponents/TableHeaderCell/index.js';
export { TableHeaderRow } from '@ui5/webcomponents-react/dist/webComponents/TableHeaderRow/index.js';
export { TableRow } from '@ui5/webcomponents-react/dist/webComponents/TableRow/index.js';
export { TableRowAction } from '@ui5/webcomponents-react/dist/webComponents/TableRowAction/index.js';
export { TableRowActionNavigation } from '@ui5/webcomponents-react/dist/webComponents/TableRowActionNavigation/index.js';
export { Tag } from '@ui5/webcomponents-react/dist/webComponents/Tag/index.js';
export { Text } from '@ui5/webcomponents-react/dist/webComponents/Text/index.js';
export { TextArea } from '@ui5/webcomponents-react/dist/webComponents/TextArea/index.js';
export { Title } from '@ui5/webcomponents-react/dist/webComponents/Title/index.js';
export { Toast } from '@ui5/webcomponents-react/dist/webComponents/Toast/index.js';
export { UserMenu } from '@ui5/webcomponents-react/dist/webComponents/UserMenu/index.js';
export { UserMenuAccount } from '@ui5/webcomponents-react/dist/webComponents/UserMenuAccount/index.js';
export { UserMenuItem } from '@ui5/webcomponents-react/dist/webComponents/UserMenuItem/index.js';
export { Wizard } from '@ui5/webcomponents-react/dist/webComponents/Wizard/index.js';
export { WizardStep } from '@ui5/webcomponents-react/dist/webComponents/WizardStep/index.js';
export { applyTheme, UI5_THEMES } from './theme.js';
